import { describe, expect, it } from 'vitest';
import { callTarget } from '../../../test/helpers/call-target.js';
import type { CallTarget, ChatMessage, ChatRequest, SlotSettings } from '../types.js';
import { toThinkingBlock } from './reasoning-details.js';
import { OPENROUTER_REFERER, OPENROUTER_TITLE, buildChatRequest } from './request.js';

const hello: ChatRequest = { messages: [{ role: 'user', content: 'Hi' }] };
const MODEL = 'moonshotai/kimi-k2.6';

function build(request: ChatRequest, target: CallTarget, stream = false) {
  const upstream = buildChatRequest(request, target, { stream, now: new Date(0) });
  return { upstream, body: JSON.parse(upstream.body as string) as Record<string, any> };
}

function settings(partial: Partial<SlotSettings>): { settings: Partial<SlotSettings> } {
  return { settings: partial };
}

describe('openrouter request', () => {
  it('posts to {baseUrl}/chat/completions with Bearer auth and the attribution headers', () => {
    const { upstream, body } = build(hello, callTarget('openrouter', MODEL));
    expect(upstream.url).toBe('https://openrouter.ai/api/v1/chat/completions');
    expect(upstream.headers).toMatchObject({
      authorization: 'Bearer test-key-0123456789',
      'HTTP-Referer': OPENROUTER_REFERER,
      'X-Title': OPENROUTER_TITLE,
      'content-type': 'application/json',
    });
    expect(body.model).toBe(MODEL);
  });

  it('maps presets to reasoning.effort and off to reasoning.enabled false', () => {
    expect(build(hello, callTarget('openrouter', MODEL, settings({ reasoning: { level: 'high', custom: null } }))).body.reasoning).toEqual({ effort: 'high' });
    expect(build(hello, callTarget('openrouter', MODEL, settings({ reasoning: { level: 'off', custom: null } }))).body.reasoning).toEqual({ enabled: false });
    const fromRequest = build({ ...hello, reasoning_effort: 'minimal' }, callTarget('openrouter', MODEL)).body;
    expect(fromRequest.reasoning).toEqual({ effort: 'minimal' });
    expect(fromRequest).not.toHaveProperty('reasoning_effort');
  });

  it('sends the routing settings as provider.order and allow_fallbacks', () => {
    const { body } = build(hello, callTarget('openrouter', MODEL, settings({ openrouter: { order: ['moonshotai'], allowFallbacks: false } })));
    expect(body.provider).toEqual({ order: ['moonshotai'], allow_fallbacks: false });
  });

  it("deep-merges a custom override's provider block with the routing settings and lets it replace the preset", () => {
    const custom = { openrouter: { reasoning: { maxTokens: 2048 }, provider: { requireParameters: true, order: ['fireworks'] } } };
    const { body } = build(
      hello,
      callTarget('openrouter', MODEL, settings({ reasoning: { level: 'custom', custom }, openrouter: { order: ['moonshotai'], allowFallbacks: false } })),
    );
    expect(body.provider).toEqual({ order: ['fireworks'], allow_fallbacks: false, require_parameters: true });
    expect(body.reasoning).toEqual({ max_tokens: 2048 });
  });

  it('asks for stream usage when streaming', () => {
    expect(build(hello, callTarget('openrouter', MODEL), true).body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('sends thinking blocks it minted back as the exact reasoning_details, and drops foreign ones', () => {
    const detail = { type: 'reasoning.text', text: 'Plan the call.', signature: 'sig-1', format: 'anthropic-claude-v1', index: 0 };
    const messages: ChatMessage[] = [
      { role: 'user', content: 'Weather?' },
      {
        role: 'assistant',
        content: null,
        reasoning_content: 'Plan the call.',
        thinking_blocks: [toThinkingBlock(detail), { type: 'thinking', thinking: 'from anthropic', signature: 'x' }],
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'w', arguments: '{}' } }],
      },
    ];
    const sent = build({ messages }, callTarget('openrouter', MODEL)).body.messages;
    expect(sent[1].reasoning_details).toEqual([detail]);
    expect(sent[1].reasoning).toBe('Plan the call.');
    expect(sent[1]).not.toHaveProperty('thinking_blocks');
    expect(sent[1]).not.toHaveProperty('reasoning_content');
  });
});
