import { describe, expect, it } from 'vitest';
import { callTarget } from '../../../test/helpers/call-target.js';
import { buildProbeRequest, parseProbeResponse } from './probe.js';
import { fixtureText } from './test-support.js';

const target = callTarget('anthropic', 'claude-sonnet-4-6');
const now = new Date('2026-11-25T12:00:00Z');

describe('anthropic probe', () => {
  it('lists models with the key headers and no body', () => {
    expect(buildProbeRequest(target, { now })).toEqual({
      method: 'GET',
      url: 'https://api.anthropic.com/v1/models?limit=1000',
      headers: { 'x-api-key': 'test-key-0123456789', 'anthropic-version': '2023-06-01' },
    });
  });

  it('is ok and finds the configured model in the list', () => {
    const result = parseProbeResponse(200, {}, fixtureText('models-list.json'), target);
    expect(result).toMatchObject({ status: 'ok', httpStatus: 200, modelFound: true });
    expect(result.models).toEqual(['claude-opus-4-7', 'claude-sonnet-4-6', 'claude-haiku-4-5-20251001']);
  });

  it('says model_not_found when a complete list lacks the model', () => {
    const result = parseProbeResponse(200, {}, fixtureText('models-list.json'), callTarget('anthropic', 'claude-sonet-4-6'));
    expect(result).toMatchObject({ status: 'model_not_found', modelFound: false });
  });

  it('does not claim the model is missing when the list has more pages', () => {
    const page = JSON.stringify({ data: [{ id: 'claude-opus-4-7' }], has_more: true, last_id: 'claude-opus-4-7' });
    expect(parseProbeResponse(200, {}, page, target)).toMatchObject({ status: 'ok', modelFound: null });
  });

  it.each([
    [401, 'error-authentication.json', 'invalid_key'],
    [403, 'error-permission.json', 'forbidden'],
    [404, 'error-not-found.json', 'endpoint_not_found'],
    [429, 'error-rate-limit.json', 'rate_limited'],
  ])('maps %i to %s', (status, file, expected) => {
    expect(parseProbeResponse(status, {}, fixtureText(file), target)).toMatchObject({ status: expected, httpStatus: status });
  });

  it('reports a 200 that is not a model list as a provider error', () => {
    expect(parseProbeResponse(200, {}, '<html>captive portal</html>', target)).toMatchObject({ status: 'provider_error' });
  });
});
