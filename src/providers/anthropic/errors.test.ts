import { describe, expect, it } from 'vitest';
import { classifyError } from './errors.js';
import { fixtureText } from './test-support.js';

const NOW = Date.parse('2026-11-25T12:00:00Z');

describe('anthropic errors', () => {
  it.each([
    [529, 'error-overloaded.json', 'server', 'overloaded_error'],
    [429, 'error-rate-limit.json', 'rate_limited', 'rate_limit_error'],
    [401, 'error-authentication.json', 'auth', 'authentication_error'],
    [403, 'error-permission.json', 'auth', 'permission_error'],
    [400, 'error-credit-balance.json', 'quota_exhausted', 'invalid_request_error'],
    [402, 'error-billing.json', 'quota_exhausted', 'billing_error'],
    [404, 'error-not-found.json', 'not_found', 'not_found_error'],
    [400, 'error-invalid-request.json', 'bad_request', 'invalid_request_error'],
  ])('classifies %i %s as %s', (status, file, kind, code) => {
    const error = classifyError(status, {}, fixtureText(file), NOW);
    expect(error).toMatchObject({ kind, status, providerCode: code });
    expect(error.providerMessage).toBeTruthy();
  });

  it('keeps retry-after on rate limits and overload', () => {
    expect(classifyError(429, { 'retry-after': '17' }, fixtureText('error-rate-limit.json'), NOW).retryAfterMs).toBe(17_000);
    expect(classifyError(529, { 'retry-after': '3' }, fixtureText('error-overloaded.json'), NOW).retryAfterMs).toBe(3000);
    expect(classifyError(400, { 'retry-after': '3' }, fixtureText('error-invalid-request.json'), NOW).retryAfterMs).toBeNull();
  });

  it('falls back to the reset of the exhausted anthropic-ratelimit-* limit', () => {
    const headers = {
      'anthropic-ratelimit-requests-remaining': '12',
      'anthropic-ratelimit-requests-reset': '2026-11-25T12:00:59Z',
      'anthropic-ratelimit-input-tokens-remaining': '0',
      'anthropic-ratelimit-input-tokens-reset': '2026-11-25T12:00:05Z',
    };
    expect(classifyError(429, headers, fixtureText('error-rate-limit.json'), NOW).retryAfterMs).toBe(5000);
  });

  it('never echoes a key the provider quoted back', () => {
    const error = classifyError(401, {}, fixtureText('error-key-echo.json'), NOW);
    expect(error.providerMessage).not.toContain('sk-ant-api03');
    expect(error.providerMessage).toContain('[REDACTED]');
  });

  it('classifies bodies that are not Anthropic errors by status', () => {
    expect(classifyError(502, {}, '<html>Bad gateway</html>', NOW)).toMatchObject({ kind: 'server', providerMessage: '<html>Bad gateway</html>' });
    expect(classifyError(504, {}, '', NOW)).toMatchObject({ kind: 'timeout', providerMessage: null });
    expect(classifyError(413, {}, 'Request Entity Too Large', NOW)).toMatchObject({ kind: 'bad_request' });
  });
});
