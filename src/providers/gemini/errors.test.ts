import { describe, expect, it } from 'vitest';
import { classifyError } from './errors.js';
import { fixtureText } from './fixtures.test-helpers.js';

describe('classifyError', () => {
  it('treats a 400 API_KEY_INVALID as an auth failure', () => {
    const error = classifyError(400, {}, fixtureText('error-api-key-invalid.json'));
    expect(error).toMatchObject({ kind: 'auth', status: 400, providerCode: 'INVALID_ARGUMENT' });
    expect(error.providerMessage).toBe('API key not valid. Please pass a valid API key.');
  });

  it('keeps other 400s as the caller\'s bad request', () => {
    expect(classifyError(400, {}, fixtureText('error-invalid-argument.json')).kind).toBe('bad_request');
  });

  it('treats a per-minute RESOURCE_EXHAUSTED as rate limited although it says "quota", with RetryInfo as the delay', () => {
    const error = classifyError(429, {}, fixtureText('error-rate-limited.json'));
    expect(error).toMatchObject({ kind: 'rate_limited', retryAfterMs: 34_400 });
  });

  it('treats a per-day QuotaFailure as quota exhausted', () => {
    expect(classifyError(429, {}, fixtureText('error-quota-per-day.json'))).toMatchObject({ kind: 'quota_exhausted', retryAfterMs: 37_000 });
  });

  it('prefers a retry-after header over RetryInfo', () => {
    expect(classifyError(429, { 'retry-after': '5' }, fixtureText('error-rate-limited.json')).retryAfterMs).toBe(5000);
  });

  it('maps PERMISSION_DENIED, NOT_FOUND, UNAVAILABLE and FAILED_PRECONDITION', () => {
    expect(classifyError(403, {}, fixtureText('error-permission-denied.json')).kind).toBe('auth');
    expect(classifyError(404, {}, fixtureText('error-not-found.json')).kind).toBe('not_found');
    expect(classifyError(503, {}, fixtureText('error-unavailable.json')).kind).toBe('server');
    expect(classifyError(400, {}, fixtureText('error-failed-precondition.json')).kind).toBe('quota_exhausted');
  });

  it('maps a 504 to timeout', () => {
    expect(classifyError(504, {}, '{"error":{"code":504,"message":"Deadline expired","status":"DEADLINE_EXCEEDED"}}').kind).toBe('timeout');
  });

  it('keeps a non-JSON body as the message', () => {
    expect(classifyError(502, {}, '<html>Bad gateway</html>')).toMatchObject({ kind: 'server', providerMessage: '<html>Bad gateway</html>' });
  });

  it('never echoes a key', () => {
    const body = JSON.stringify({ error: { code: 400, message: 'Key AIzaSyA1234567890abcdefghijklmnopqrstu is bad', status: 'INVALID_ARGUMENT' } });
    expect(classifyError(400, {}, body).providerMessage).not.toContain('AIzaSy');
  });
});
