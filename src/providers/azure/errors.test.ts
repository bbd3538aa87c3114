import { describe, expect, it } from 'vitest';
import { classifyError } from './errors.js';
import { fixture } from './test-support.js';

describe('Azure OpenAI errors', () => {
  it('treats a content-filter refusal as the caller’s bad_request', () => {
    expect(classifyError(400, {}, fixture('error-content-filter.json'))).toMatchObject({ kind: 'bad_request', providerCode: 'content_filter' });
  });

  it('treats a missing deployment as not_found', () => {
    expect(classifyError(404, {}, fixture('error-deployment-not-found.json'))).toMatchObject({ kind: 'not_found', providerCode: 'DeploymentNotFound' });
  });

  it('treats a rejected key as auth', () => {
    expect(classifyError(401, {}, fixture('error-unauthorized.json')).kind).toBe('auth');
  });

  it('keeps retry-after-ms on a rate limit', () => {
    expect(classifyError(429, { 'retry-after-ms': '6000', 'retry-after': '6' }, fixture('error-rate-limited.json'))).toMatchObject({
      kind: 'rate_limited',
      retryAfterMs: 6000,
    });
  });

  it('treats 5xx as server', () => {
    expect(classifyError(503, {}, '{"error":{"code":"ServiceUnavailable","message":"busy"}}').kind).toBe('server');
  });
});
