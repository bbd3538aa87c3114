import { describe, expect, it } from 'vitest';
import { fixtureText } from '../openai/test-support.js';
import { classifyError } from './errors.js';

const here = new URL('.', import.meta.url);
const body = (name: string) => fixtureText(here, name);

describe('openrouter errors', () => {
  it('reads 401 as auth and 402 as exhausted credits', () => {
    expect(classifyError(401, {}, body('error-401.json')).kind).toBe('auth');
    expect(classifyError(402, {}, body('error-402.json')).kind).toBe('quota_exhausted');
  });

  it("reads 403 as a moderation block: the caller's problem, not a bad key", () => {
    const error = classifyError(403, {}, body('error-403-moderation.json'));
    expect(error.kind).toBe('bad_request');
    expect(error.providerMessage).toContain('flagged');
  });

  it('keeps Retry-After on 429', () => {
    expect(classifyError(429, { 'retry-after': '3' }, body('error-429.json'))).toMatchObject({ kind: 'rate_limited', retryAfterMs: 3000 });
  });

  it('reads 502 and 503 as server failures and 408 as a timeout', () => {
    expect(classifyError(502, {}, '').kind).toBe('server');
    expect(classifyError(503, {}, '').kind).toBe('server');
    expect(classifyError(408, {}, '').kind).toBe('timeout');
  });
});
