import { describe, expect, it } from 'vitest';
import { callTarget } from '../../../test/helpers/call-target.js';
import { buildProbeRequest, parseProbeResponse } from './probe.js';
import { fixture } from './test-support.js';

const v1 = (model: string) => callTarget('azure_openai', model, { baseUrl: '', params: { resourceName: 'contoso' } });
const dated = (deployment: string) => callTarget('azure_openai', 'whatever', { baseUrl: '', params: { resourceName: 'contoso', deployment } });

describe('Azure OpenAI probe', () => {
  it('lists models on the v1 surface with the api-key header', () => {
    expect(buildProbeRequest(v1('gpt-4.1'))).toMatchObject({
      method: 'GET',
      url: 'https://contoso.openai.azure.com/openai/v1/models',
      headers: { 'api-key': 'test-key-0123456789' },
    });
  });

  it('confirms a model listed under the name in use', () => {
    expect(parseProbeResponse(200, {}, fixture('models.json'), v1('gpt-4.1'))).toMatchObject({ status: 'ok', modelFound: true });
    expect(parseProbeResponse(200, {}, fixture('models.json'), dated('gpt-4o-2024-08-06'))).toMatchObject({ status: 'ok', modelFound: true });
  });

  it('does not call a custom deployment name missing, since deployments are not listed', () => {
    const result = parseProbeResponse(200, {}, fixture('models.json'), dated('prod-chat'));
    expect(result).toMatchObject({ status: 'ok', modelFound: null });
    expect(result.models).toEqual(['gpt-4o-2024-08-06', 'gpt-4.1']);
  });

  it('reports a rejected key and a wrong endpoint', () => {
    expect(parseProbeResponse(401, {}, fixture('error-unauthorized.json'), v1('x')).status).toBe('invalid_key');
    const notFound = parseProbeResponse(404, {}, '{"error":{"code":"404","message":"Resource not found"}}', v1('x'));
    expect(notFound.status).toBe('endpoint_not_found');
    expect(notFound.message).toContain('https://contoso.openai.azure.com');
  });
});
