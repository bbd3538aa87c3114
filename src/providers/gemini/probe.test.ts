import { describe, expect, it } from 'vitest';
import { callTarget } from '../../../test/helpers/call-target.js';
import { fixtureText } from './fixtures.test-helpers.js';
import { buildProbeRequest, parseProbeResponse } from './probe.js';

const now = new Date('2026-01-01T00:00:00Z');
const target = (model: string) => callTarget('google', model);

describe('Gemini probe', () => {
  it('lists models with the key header, no inference', () => {
    const request = buildProbeRequest(target('gemini-2.5-flash'), { now });
    expect(request).toEqual({
      method: 'GET',
      url: 'https://generativelanguage.googleapis.com/v1beta/models?pageSize=1000',
      headers: { 'x-goog-api-key': 'test-key-0123456789' },
    });
  });

  it('reports the model ids without the models/ prefix and finds the configured model', () => {
    const result = parseProbeResponse(200, {}, fixtureText('models.json'), target('gemini-3.1-pro-preview-customtools'));
    expect(result.status).toBe('ok');
    expect(result.models).toContain('gemini-2.5-flash');
    expect(result.models).not.toContain('models/gemini-2.5-flash');
    expect(result.modelFound).toBe(true);
  });

  it('accepts a configured model written as models/…', () => {
    expect(parseProbeResponse(200, {}, fixtureText('models.json'), target('models/gemini-2.5-pro')).modelFound).toBe(true);
  });

  it('says model_not_found for a model the key cannot see', () => {
    const result = parseProbeResponse(200, {}, fixtureText('models.json'), target('gemini-2.5-flahs'));
    expect(result).toMatchObject({ status: 'model_not_found', modelFound: false });
  });

  it('does not claim a model is missing when another page exists', () => {
    const body = JSON.stringify({ models: [{ name: 'models/gemini-2.5-flash' }], nextPageToken: 'next' });
    expect(parseProbeResponse(200, {}, body, target('gemini-3-pro-preview'))).toMatchObject({ status: 'ok', modelFound: null });
  });

  it('reads a 400 API_KEY_INVALID as an invalid key', () => {
    const result = parseProbeResponse(400, {}, fixtureText('error-api-key-invalid.json'), target('gemini-2.5-flash'));
    expect(result).toMatchObject({ status: 'invalid_key', httpStatus: 400 });
    expect(result.message).toContain('API key not valid');
  });

  it('reads 403 as forbidden and 429 as rate limited', () => {
    expect(parseProbeResponse(403, {}, fixtureText('error-permission-denied.json'), target('x')).status).toBe('forbidden');
    expect(parseProbeResponse(429, {}, fixtureText('error-rate-limited.json'), target('x')).status).toBe('rate_limited');
  });

  it('reads a per-day quota 429 as a provider error about the quota, not a rate limit', () => {
    const result = parseProbeResponse(429, {}, fixtureText('error-quota-per-day.json'), target('x'));
    expect(result.status).toBe('provider_error');
    expect(result.message).toContain('daily quota');
  });
});
