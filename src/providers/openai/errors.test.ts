import { describe, expect, it } from 'vitest';
import { classifyEmbeddedError, classifyError } from './errors.js';
import { fixtureText } from './test-support.js';

const here = new URL('.', import.meta.url);
const body = (name: string) => fixtureText(here, `errors/${name}`);

describe('openai family errors', () => {
  it('reads the status first', () => {
    expect(classifyError(401, {}, body('openai-401.json')).kind).toBe('auth');
    expect(classifyError(404, {}, body('openai-404-model.json')).kind).toBe('not_found');
    expect(classifyError(503, {}, '').kind).toBe('server');
    expect(classifyError(529, {}, '').kind).toBe('server');
    expect(classifyError(504, {}, '').kind).toBe('timeout');
    expect(classifyError(402, {}, body('deepseek-402.json')).kind).toBe('quota_exhausted');
  });

  it('never echoes a key in the provider message', () => {
    const error = classifyError(401, {}, body('openai-401.json'));
    expect(error.providerMessage).not.toMatch(/sk-proj/);
    expect(error.providerCode).toBe('invalid_api_key');
  });

  it('tells an exhausted quota from a rate limit on a 429, keeping the retry delay', () => {
    expect(classifyError(429, {}, body('openai-429-insufficient-quota.json')).kind).toBe('quota_exhausted');
    const limited = classifyError(429, { 'retry-after': '12' }, body('openai-429-rate-limit.json'));
    expect(limited.kind).toBe('rate_limited');
    expect(limited.retryAfterMs).toBe(12_000);
  });

  it('reads Z.ai business codes: 1113 is an empty balance, 1302 a concurrency limit', () => {
    expect(classifyError(429, {}, body('zai-429-balance.json')).kind).toBe('quota_exhausted');
    expect(classifyError(429, {}, body('zai-429-concurrency.json')).kind).toBe('rate_limited');
    expect(classifyError(401, {}, body('zai-401.json')).kind).toBe('auth');
  });

  it("reads xAI's 400 for a bad key as auth", () => {
    const error = classifyError(400, {}, body('xai-400-key.json'));
    expect(error.kind).toBe('auth');
    expect(error.status).toBe(400);
  });

  it("reads Together's 403 for an over-long prompt as the caller's problem", () => {
    expect(classifyError(403, {}, body('together-403-context.json')).kind).toBe('bad_request');
  });

  it("reads Moonshot's exhausted balance (403) as quota", () => {
    expect(classifyError(403, {}, body('moonshot-403-balance.json')).kind).toBe('quota_exhausted');
  });

  it("keeps Mistral's structured validation message", () => {
    const error = classifyError(422, {}, body('mistral-422.json'));
    expect(error.kind).toBe('bad_request');
    expect(error.providerMessage).toContain('Extra inputs are not permitted');
  });

  it('classifies errors embedded in 200 answers by code', () => {
    expect(classifyEmbeddedError({ code: 'rate_limit_exceeded', message: 'slow down' }).kind).toBe('rate_limited');
    expect(classifyEmbeddedError({ code: 502, message: 'Provider down' }).kind).toBe('server');
    expect(classifyEmbeddedError({ code: 401, message: 'No auth' })).toMatchObject({ kind: 'auth', status: 401 });
    expect(classifyEmbeddedError({ code: '1113', message: 'Insufficient balance or no resource package.' }).kind).toBe('quota_exhausted');
    expect(classifyEmbeddedError({ type: 'server_error', message: 'x' }).kind).toBe('server');
    expect(classifyEmbeddedError('something odd').kind).toBe('server');
  });
});
