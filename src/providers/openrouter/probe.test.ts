import { describe, expect, it } from 'vitest';
import { callTarget } from '../../../test/helpers/call-target.js';
import { fixtureText } from '../openai/test-support.js';
import { buildProbeRequest, parseProbeResponse } from './probe.js';

const here = new URL('.', import.meta.url);
const target = callTarget('openrouter', 'moonshotai/kimi-k2.6');

describe('openrouter probe', () => {
  it('asks GET /key, which proves the key itself', () => {
    const request = buildProbeRequest(target);
    expect(request).toMatchObject({ method: 'GET', url: 'https://openrouter.ai/api/v1/key' });
    expect(request.headers.authorization).toBe('Bearer test-key-0123456789');
  });

  it('reports a valid key without claiming to know the model', () => {
    const outcome = parseProbeResponse(200, {}, fixtureText(here, 'key.json'), target);
    expect(outcome).toMatchObject({ status: 'ok', models: null, modelFound: null, httpStatus: 200 });
    expect(outcome.message).not.toContain('sk-or');
  });

  it('reports a key whose credit limit is used up', () => {
    expect(parseProbeResponse(200, {}, fixtureText(here, 'key-exhausted.json'), target).status).toBe('provider_error');
  });

  it('reports a rejected key', () => {
    expect(parseProbeResponse(401, {}, fixtureText(here, 'error-401.json'), target)).toMatchObject({ status: 'invalid_key', httpStatus: 401 });
  });
});
