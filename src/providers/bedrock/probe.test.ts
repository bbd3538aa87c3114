import { describe, expect, it } from 'vitest';
import { callTarget } from '../../../test/helpers/call-target.js';
import type { CallTarget } from '../types.js';
import { buildProbeRequest, parseProbeResponse } from './probe.js';
import { exampleSecrets, fixture } from './test-support.js';

function target(model: string, baseUrl = ''): CallTarget {
  return callTarget('bedrock', model, { baseUrl, apiKey: null, secrets: exampleSecrets(), params: { region: 'eu-central-1' } });
}

const NOW = new Date('2026-01-15T08:30:00Z');
const LIST = fixture('foundation-models.json');

describe('Bedrock probe', () => {
  it('lists foundation models on the regional control plane with a signed GET', () => {
    const request = buildProbeRequest(target('amazon.nova-pro-v1:0'), { now: NOW });
    expect(request.method).toBe('GET');
    expect(request.url).toBe('https://bedrock.eu-central-1.amazonaws.com/foundation-models');
    expect(request.body).toBeUndefined();
    expect(request.headers.authorization).toMatch(/Credential=AKIDEXAMPLE\/20260115\/eu-central-1\/bedrock\/aws4_request/);
  });

  it('lists at the base URL override', () => {
    expect(buildProbeRequest(target('x', 'http://127.0.0.1:4010'), { now: NOW }).url).toBe('http://127.0.0.1:4010/foundation-models');
  });

  it('finds a listed model', () => {
    expect(parseProbeResponse(200, {}, LIST, target('amazon.nova-pro-v1:0'))).toMatchObject({
      status: 'ok',
      modelFound: true,
      models: ['anthropic.claude-sonnet-4-20250514-v1:0', 'amazon.nova-pro-v1:0'],
    });
  });

  it('finds an inference profile through its base model', () => {
    expect(parseProbeResponse(200, {}, LIST, target('eu.anthropic.claude-sonnet-4-20250514-v1:0'))).toMatchObject({ status: 'ok', modelFound: true });
    expect(parseProbeResponse(200, {}, LIST, target('global.anthropic.claude-sonnet-4-20250514-v1:0'))).toMatchObject({ status: 'ok', modelFound: true });
  });

  it('reports a model that is not listed', () => {
    expect(parseProbeResponse(200, {}, LIST, target('anthropic.claude-sonnet-4-2025-typo'))).toMatchObject({ status: 'model_not_found', modelFound: false });
  });

  it('cannot confirm application inference profiles, and says so', () => {
    const arn = 'arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/abc123';
    expect(parseProbeResponse(200, {}, LIST, target(arn))).toMatchObject({ status: 'ok', modelFound: null });
  });

  it('tells an unknown access key from a wrong secret and from missing IAM permission', () => {
    const unknown = parseProbeResponse(403, { 'x-amzn-errortype': 'UnrecognizedClientException:http://internal.amazon.com/' }, '{"message":"The security token included in the request is invalid."}', target('x'));
    expect(unknown).toMatchObject({ status: 'invalid_key', httpStatus: 403 });
    expect(unknown.message).toMatch(/access key id/);
    const wrongSecret = parseProbeResponse(403, {}, '{"__type":"InvalidSignatureException","message":"Signature mismatch"}', target('x'));
    expect(wrongSecret.status).toBe('invalid_key');
    expect(wrongSecret.message).toMatch(/secret access key/);
    expect(parseProbeResponse(403, { 'x-amzn-errortype': 'AccessDeniedException' }, '{"message":"not authorized"}', target('x')).status).toBe('forbidden');
  });

  it('reports throttling as rate_limited', () => {
    expect(parseProbeResponse(429, { 'x-amzn-errortype': 'ThrottlingException' }, '{"message":"Rate exceeded"}', target('x')).status).toBe('rate_limited');
  });
});
