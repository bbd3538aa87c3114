import { describe, expect, it } from 'vitest';
import { callTarget } from '../../../test/helpers/call-target.js';
import { buildProbeRequest, parseProbeResponse } from './probe.js';
import { fixture } from './test-support.js';

describe('Cohere probe', () => {
  it('lists chat models with the Bearer key', () => {
    const request = buildProbeRequest(callTarget('cohere', 'command-a-03-2025'));
    expect(request).toMatchObject({ method: 'GET', url: 'https://api.cohere.com/v1/models?endpoint=chat&page_size=1000' });
    expect(request.headers.authorization).toBe('Bearer test-key-0123456789');
  });

  it('finds the configured model, or says it is missing', () => {
    const list = fixture('models.json');
    expect(parseProbeResponse(200, {}, list, callTarget('cohere', 'command-a-reasoning-08-2025'))).toMatchObject({
      status: 'ok',
      modelFound: true,
      models: ['command-a-03-2025', 'command-a-reasoning-08-2025'],
    });
    expect(parseProbeResponse(200, {}, list, callTarget('cohere', 'command-z'))).toMatchObject({ status: 'model_not_found', modelFound: false });
  });

  it('reports a rejected key', () => {
    expect(parseProbeResponse(401, {}, '{"message":"invalid api token"}', callTarget('cohere', 'x')).status).toBe('invalid_key');
  });
});
