import { describe, expect, it } from 'vitest';
import { callTarget } from '../../../test/helpers/call-target.js';
import { buildProbeRequest, parseProbeResponse } from './probe.js';
import { fixtureText } from './test-support.js';

const here = new URL('.', import.meta.url);
const models = fixtureText(here, 'models.json');
const errorBody = (name: string) => fixtureText(here, `errors/${name}`);

describe('openai family probe', () => {
  it('lists models with the key, without inference', () => {
    const request = buildProbeRequest(callTarget('openai', 'gpt-5.4'));
    expect(request).toMatchObject({ method: 'GET', url: 'https://api.openai.com/v1/models' });
    expect(request.headers.authorization).toBe('Bearer test-key-0123456789');
    expect(request.body).toBeUndefined();
    expect(buildProbeRequest(callTarget('ollama', 'qwen3', { apiKey: null })).headers.authorization).toBeUndefined();
  });

  it('says whether the configured model is listed', () => {
    expect(parseProbeResponse(200, {}, models, callTarget('openai', 'gpt-5.4'))).toMatchObject({ status: 'ok', modelFound: true, httpStatus: 200 });
    const missing = parseProbeResponse(200, {}, models, callTarget('openai', 'gpt-5.4-min'));
    expect(missing).toMatchObject({ status: 'model_not_found', modelFound: false });
    expect(missing.models).toContain('gpt-5.4-mini');
    expect(missing.message).toContain('gpt-5.4-mini');
  });

  it('reports a rejected key', () => {
    const outcome = parseProbeResponse(401, {}, errorBody('openai-401.json'), callTarget('openai', 'gpt-5.4'));
    expect(outcome).toMatchObject({ status: 'invalid_key', httpStatus: 401, models: null });
    expect(outcome.message).not.toMatch(/sk-proj/);
  });

  it('does not call a 200 that is not a model list a success', () => {
    expect(parseProbeResponse(200, {}, '<html>router login</html>', callTarget('litellm', 'gpt', { baseUrl: 'http://127.0.0.1:4000' })).status).toBe('provider_error');
  });

  it("proves a Perplexity key on its router model list without claiming to check Sonar model ids", () => {
    expect(buildProbeRequest(callTarget('perplexity', 'sonar')).url).toBe('https://api.perplexity.ai/router/v1/models');
    expect(parseProbeResponse(200, {}, models, callTarget('perplexity', 'sonar'))).toMatchObject({ status: 'ok', models: null, modelFound: null });
  });

  it("searches Cloudflare's model catalogue for the configured model", () => {
    const target = callTarget('cloudflare_workers_ai', '@cf/meta/llama-3.1-8b-instruct', { baseUrl: 'https://api.cloudflare.com/client/v4/accounts/acc123/ai/v1' });
    expect(buildProbeRequest(target).url).toBe('https://api.cloudflare.com/client/v4/accounts/acc123/ai/models/search?search=%40cf%2Fmeta%2Fllama-3.1-8b-instruct');
    expect(parseProbeResponse(200, {}, fixtureText(here, 'cloudflare-models-search.json'), target)).toMatchObject({ status: 'ok', modelFound: true });
  });

  it('says which Z.ai plan a key belongs to when the answer tells', () => {
    const coding = callTarget('zai', 'glm-5.1', { baseUrl: 'https://api.z.ai/api/coding/paas/v4', plan: 'coding' });
    const noPlan = parseProbeResponse(429, {}, errorBody('zai-429-balance.json'), coding);
    expect(noPlan.message).toMatch(/no active GLM Coding Plan/);
    expect(noPlan.message).toMatch(/plan "developer"/);
    const developer = callTarget('zai', 'glm-5.1', { baseUrl: 'https://api.z.ai/api/paas/v4', plan: 'developer' });
    expect(parseProbeResponse(401, {}, errorBody('zai-401.json'), developer)).toMatchObject({ status: 'invalid_key' });
    expect(parseProbeResponse(401, {}, errorBody('zai-401.json'), developer).message).toMatch(/choose plan "coding"/);
  });

  it('tells Kimi Code keys from Moonshot platform keys on a 401', () => {
    const code = callTarget('moonshot', 'kimi-for-coding', { baseUrl: 'https://api.kimi.com/coding/v1', plan: 'code' });
    expect(parseProbeResponse(401, {}, errorBody('kimi-code-401.json'), code).message).toMatch(/sk-kimi-/);
    const developer = callTarget('moonshot', 'kimi-k2.6', { baseUrl: 'https://api.moonshot.ai/v1', plan: 'developer' });
    expect(parseProbeResponse(401, {}, errorBody('kimi-code-401.json'), developer).message).toMatch(/choose plan "code"/);
    // A vendor without plans gets the shared advice only.
    expect(parseProbeResponse(401, {}, '', callTarget('deepseek', 'deepseek-chat')).message).not.toMatch(/plan/);
  });
});
