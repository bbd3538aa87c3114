import { describe, expect, it } from 'vitest';
import { callTarget } from '../../../test/helpers/call-target.js';
import type { CallTarget, ChatRequest, SlotSettings } from '../types.js';
import { buildChatRequest } from './request.js';

const NOW = new Date(0);
function target(params: Record<string, string>, model = 'gpt-4o', extra: { baseUrl?: string; settings?: Partial<SlotSettings> } = {}): CallTarget {
  return callTarget('azure_openai', model, { params, baseUrl: extra.baseUrl ?? '', ...(extra.settings ? { settings: extra.settings } : {}) });
}
const hello: ChatRequest = { messages: [{ role: 'developer', content: 'Be brief.' }, { role: 'user', content: 'Hello' }], max_tokens: 50 };
const body = (built: { body?: string | Uint8Array }) => JSON.parse(built.body as string) as Record<string, any>;

describe('Azure OpenAI request', () => {
  it('uses the deployment URL with the default GA api-version when a deployment is set', () => {
    const built = buildChatRequest(hello, target({ resourceName: 'contoso', deployment: 'gpt4o prod' }), { stream: false, now: NOW });
    expect(built.url).toBe('https://contoso.openai.azure.com/openai/deployments/gpt4o%20prod/chat/completions?api-version=2024-10-21');
  });

  it('uses the configured api-version', () => {
    const built = buildChatRequest(hello, target({ resourceName: 'contoso', deployment: 'd', apiVersion: '2025-04-01-preview' }), { stream: false, now: NOW });
    expect(built.url).toMatch(/\?api-version=2025-04-01-preview$/);
  });

  it('uses the v1 surface with model = target.model when no deployment is set', () => {
    const built = buildChatRequest(hello, target({ endpoint: 'https://contoso.openai.azure.com/openai/v1/' }, 'my-gpt-4o'), { stream: false, now: NOW });
    expect(built.url).toBe('https://contoso.openai.azure.com/openai/v1/chat/completions');
    expect(body(built).model).toBe('my-gpt-4o');
  });

  it('prefers the base URL, then params.endpoint, then the resource name', () => {
    const both = { endpoint: 'https://from-endpoint.openai.azure.com', resourceName: 'from-resource' };
    expect(buildChatRequest(hello, target(both, 'm', { baseUrl: 'http://127.0.0.1:5555' }), { stream: false, now: NOW }).url).toBe('http://127.0.0.1:5555/openai/v1/chat/completions');
    expect(buildChatRequest(hello, target(both), { stream: false, now: NOW }).url).toBe('https://from-endpoint.openai.azure.com/openai/v1/chat/completions');
    expect(() => buildChatRequest(hello, target({}), { stream: false, now: NOW })).toThrow(/endpoint/);
  });

  it('authenticates with the api-key header, never a Bearer token', () => {
    const built = buildChatRequest(hello, target({ resourceName: 'contoso' }), { stream: false, now: NOW });
    expect(built.headers['api-key']).toBe('test-key-0123456789');
    expect(built.headers.authorization).toBeUndefined();
  });

  it('sends the OpenAI body, asking for usage when streaming', () => {
    const built = buildChatRequest(hello, target({ resourceName: 'contoso' }), { stream: true, now: NOW });
    expect(body(built)).toMatchObject({ stream: true, stream_options: { include_usage: true }, max_completion_tokens: 50 });
    expect(built.headers.accept).toBe('text/event-stream');
  });

  it('turns developer into system and drops reasoning_effort for dated versions older than 2024-12-01', () => {
    const reasoning = { reasoning: { level: 'high' as const, custom: null } };
    const dated = body(buildChatRequest(hello, target({ resourceName: 'c', deployment: 'o3-mini' }, 'o3-mini', { settings: reasoning }), { stream: false, now: NOW }));
    expect(dated.messages[0].role).toBe('system');
    expect(dated.reasoning_effort).toBeUndefined();
    const newer = body(buildChatRequest(hello, target({ resourceName: 'c', deployment: 'o3-mini', apiVersion: '2025-04-01-preview' }, 'o3-mini', { settings: reasoning }), { stream: false, now: NOW }));
    expect(newer.messages[0].role).toBe('developer');
    expect(newer.reasoning_effort).toBe('high');
    const v1 = body(buildChatRequest(hello, target({ resourceName: 'c' }, 'o3-mini', { settings: reasoning }), { stream: false, now: NOW }));
    expect(v1.reasoning_effort).toBe('high');
  });

  it('applies a custom override written for the azure namespace', () => {
    const settings = { reasoning: { level: 'custom' as const, custom: { azure: { reasoningEffort: 'low', serviceTier: 'priority' }, anthropic: { x: 1 } } } };
    const sent = body(buildChatRequest(hello, target({ resourceName: 'c' }, 'o4-mini', { settings }), { stream: false, now: NOW }));
    expect(sent).toMatchObject({ reasoning_effort: 'low', service_tier: 'priority' });
    expect(sent.x).toBeUndefined();
  });
});
