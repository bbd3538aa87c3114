import { describe, expect, it } from 'vitest';
import { classifyError } from './errors.js';

const body = (message: string) => JSON.stringify({ id: 'e1', message });

describe('Cohere errors', () => {
  it.each([
    [400, 'bad_request'],
    [401, 'auth'],
    [402, 'quota_exhausted'],
    [404, 'not_found'],
    [422, 'bad_request'],
    [429, 'rate_limited'],
    [499, 'network'],
    [500, 'server'],
    [503, 'server'],
    [504, 'timeout'],
  ])('%i → %s', (status, kind) => {
    expect(classifyError(status, {}, body('something')).kind).toBe(kind);
  });

  it('passes the message through', () => {
    expect(classifyError(400, {}, body('too many tokens: size limit exceeded')).providerMessage).toBe('too many tokens: size limit exceeded');
  });

  it('tells the monthly trial cap (quota) from the per-minute trial rate limit', () => {
    expect(classifyError(429, {}, body("You are using a Trial key, which is limited to 1000 API calls / month. You can continue to use the Trial key for free or upgrade to a Production key")).kind).toBe('quota_exhausted');
    expect(classifyError(429, {}, body('You are using a Trial key, which is limited to 20 API calls / minute.')).kind).toBe('rate_limited');
  });

  it('keeps the retry delay of a rate limit', () => {
    expect(classifyError(429, { 'retry-after': '2' }, body('slow down')).retryAfterMs).toBe(2000);
  });

  it('never echoes a bearer token back', () => {
    expect(classifyError(401, {}, body('invalid api token: Bearer abcdefghijklmnopqrstuv')).providerMessage).not.toContain('abcdefghijklmnopqrstuv');
  });
});
