import { describe, expect, it } from 'vitest';
import { callTarget } from '../../../test/helpers/call-target.js';
import type { CallTarget, ChatMessage, ChatRequest, SlotSettings } from '../types.js';
import { toAlnum9 } from './messages.js';
import { buildChatBody, buildChatRequest } from './request.js';
import { quirksFor } from './quirks.js';

const NOW = new Date('2026-01-01T00:00:00Z');

function build(request: ChatRequest, target: CallTarget, stream = false) {
  const upstream = buildChatRequest(request, target, { stream, now: NOW });
  return { upstream, body: JSON.parse(upstream.body as string) as Record<string, unknown> };
}

function reasoning(level: SlotSettings['reasoning']['level'], custom: Record<string, unknown> | null = null): Partial<SlotSettings> {
  return { reasoning: { level, custom } };
}

const hello: ChatRequest = { model: 'ignored', messages: [{ role: 'user', content: 'Hi' }] };

describe('openai family request', () => {
  it('posts to {baseUrl}/chat/completions with a Bearer key and the configured model', () => {
    const { upstream, body } = build(hello, callTarget('openai', 'gpt-5.4'));
    expect(upstream.method).toBe('POST');
    expect(upstream.url).toBe('https://api.openai.com/v1/chat/completions');
    expect(upstream.headers.authorization).toBe('Bearer test-key-0123456789');
    expect(body.model).toBe('gpt-5.4');
    expect(body.messages).toEqual(hello.messages);
  });

  it('drops fields the caller set to null instead of forwarding them', () => {
    const request = { ...hello, top_p: null, seed: null, stop: null, user: null, tool_choice: null } as unknown as ChatRequest;
    const { body } = build(request, callTarget('mistral', 'mistral-large-latest'));
    for (const field of ['top_p', 'seed', 'random_seed', 'stop', 'user', 'tool_choice']) expect(body).not.toHaveProperty(field);
  });

  it('sends no Authorization header for a keyless local server', () => {
    const { upstream } = build(hello, callTarget('ollama', 'qwen3:8b', { apiKey: null }));
    expect(upstream.headers.authorization).toBeUndefined();
    expect(upstream.url).toBe('http://localhost:11434/v1/chat/completions');
  });

  it('always asks for stream usage when streaming, whatever the caller asked', () => {
    const { body } = build({ ...hello, stream: true, stream_options: { include_usage: false } }, callTarget('deepseek', 'deepseek-chat'), true);
    expect(body.stream).toBe(true);
    expect(body.stream_options).toEqual({ include_usage: true });
    expect(build({ ...hello, stream: true }, callTarget('deepseek', 'deepseek-chat'), false).body.stream).toBeUndefined();
  });

  it('maps the preset to reasoning_effort and max_tokens to max_completion_tokens for OpenAI reasoning models', () => {
    const { body } = build({ ...hello, max_tokens: 500, temperature: 0.3, top_p: 0.9 }, callTarget('openai', 'gpt-5.4', { settings: reasoning('medium') }));
    expect(body.reasoning_effort).toBe('medium');
    expect(body.max_completion_tokens).toBe(500);
    expect(body.max_tokens).toBeUndefined();
    // Reasoning models reject sampling parameters while reasoning.
    expect(body.temperature).toBeUndefined();
    expect(body.top_p).toBeUndefined();
  });

  it('omits reasoning_effort for off and keeps the slot temperature then', () => {
    const { body } = build(hello, callTarget('openai', 'gpt-5.4', { settings: { ...reasoning('off'), temperature: 0.2, maxOutputTokens: 900 } }));
    expect(body).not.toHaveProperty('reasoning_effort');
    expect(body.temperature).toBe(0.2);
    expect(body.max_completion_tokens).toBe(900);
  });

  it('sends no reasoning_effort to OpenAI chat models without reasoning', () => {
    const { body } = build({ ...hello, temperature: 0.7 }, callTarget('openai', 'gpt-4.1', { settings: reasoning('high') }));
    expect(body).not.toHaveProperty('reasoning_effort');
    expect(body.temperature).toBe(0.7);
  });

  it("lets the request's reasoning_effort override the slot", () => {
    expect(build({ ...hello, reasoning_effort: 'low' }, callTarget('openai', 'o4-mini', { settings: reasoning('high') })).body.reasoning_effort).toBe('low');
    expect(build({ ...hello, reasoning_effort: 'none' }, callTarget('openai', 'o4-mini', { settings: reasoning('high') })).body).not.toHaveProperty('reasoning_effort');
    expect(build({ ...hello, reasoning_effort: 'none' }, callTarget('ollama', 'qwen3:8b', { settings: reasoning('high') })).body.reasoning_effort).toBe('none');
  });

  it('keeps developer messages for OpenAI and strips fields OpenAI does not take from assistant messages', () => {
    const messages: ChatMessage[] = [
      { role: 'developer', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello', reasoning_content: 'greet', thinking_blocks: [{ type: 'thinking', thinking: 'x', signature: 's' }] },
    ];
    const { body } = build({ messages }, callTarget('openai', 'gpt-5.4'));
    expect(body.messages).toEqual([{ role: 'developer', content: 'Be brief.' }, { role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }]);
  });

  it('passes assistant reasoning_content through unchanged for DeepSeek and Kimi tool loops, and maps developer to system', () => {
    const assistant: ChatMessage = {
      role: 'assistant',
      content: null,
      reasoning_content: 'I should call the tool.',
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }],
    };
    const messages: ChatMessage[] = [{ role: 'developer', content: 'Rules' }, { role: 'user', content: 'Go' }, assistant, { role: 'tool', tool_call_id: 'call_1', content: 'ok' }];
    for (const provider of ['deepseek', 'moonshot', 'zai'] as const) {
      const sent = build({ messages }, callTarget(provider, 'm')).body.messages as ChatMessage[];
      expect(sent[0]).toEqual({ role: 'system', content: 'Rules' });
      expect(sent[2]).toEqual(assistant);
      expect(sent[3]).toEqual(messages[3]);
    }
  });

  it('sends Cerebras the reasoning history under `reasoning`', () => {
    const messages: ChatMessage[] = [{ role: 'user', content: 'Go' }, { role: 'assistant', content: 'x', reasoning_content: 'why' }];
    const sent = build({ messages }, callTarget('cerebras', 'gpt-oss-120b')).body.messages as Array<Record<string, unknown>>;
    expect(sent[1]).toEqual({ role: 'assistant', content: 'x', reasoning: 'why' });
  });

  it('reuses the caller messages when nothing needs changing', () => {
    const messages: ChatMessage[] = [{ role: 'system', content: 'S' }, { role: 'user', content: 'U' }];
    const body = buildChatBody({ messages }, callTarget('deepseek', 'm'), { stream: false, rules: quirksFor('deepseek'), reasoning: null });
    expect(body.messages).toBe(messages);
  });

  it('toggles thinking for Z.ai, GLM, Moonshot and DeepSeek and never sends reasoning_effort there', () => {
    for (const provider of ['zai', 'glm', 'moonshot', 'deepseek'] as const) {
      expect(build({ ...hello, reasoning_effort: 'high' }, callTarget(provider, 'm')).body).toMatchObject({ thinking: { type: 'enabled' } });
      expect(build({ ...hello, reasoning_effort: 'high' }, callTarget(provider, 'm')).body).not.toHaveProperty('reasoning_effort');
      expect(build(hello, callTarget(provider, 'm', { settings: reasoning('off') })).body.thinking).toEqual({ type: 'disabled' });
    }
  });

  it('does not send sampling parameters to Kimi K2 models, whose platform fixes them', () => {
    const { body } = build({ ...hello, temperature: 0.5, top_p: 0.8 }, callTarget('moonshot', 'kimi-k2.6', { settings: reasoning('medium') }));
    expect(body).not.toHaveProperty('temperature');
    expect(body).not.toHaveProperty('top_p');
    expect(build({ ...hello, temperature: 0.5 }, callTarget('moonshot', 'moonshot-v1-8k')).body.temperature).toBe(0.5);
  });

  it('enables Qwen thinking on streamed calls only', () => {
    const target = callTarget('qwen', 'qwen3.6-plus', { settings: reasoning('medium') });
    expect(build(hello, target, true).body.enable_thinking).toBe(true);
    expect(build(hello, target, false).body.enable_thinking).toBe(false);
    expect(build(hello, callTarget('qwen', 'qwen3.6-plus', { settings: reasoning('off') }), true).body.enable_thinking).toBe(false);
  });

  it('speaks Mistral: tool_choice any, random_seed, no user, no stream_options, 9-character tool ids', () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: null, reasoning_content: 'r', tool_calls: [{ id: 'toolu_01ABCDEF', type: 'function', function: { name: 'w', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'toolu_01ABCDEF', content: 'sunny' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'D681PevKs', type: 'function', function: { name: 'w', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'D681PevKs', content: 'rain' },
    ];
    const { body } = build({ messages, tool_choice: 'required', seed: 7, user: 'u1', stream: true }, callTarget('mistral', 'mistral-large-latest'), true);
    expect(body.tool_choice).toBe('any');
    expect(body.random_seed).toBe(7);
    expect(body).not.toHaveProperty('seed');
    expect(body).not.toHaveProperty('user');
    expect(body).not.toHaveProperty('stream_options');
    const sent = body.messages as Array<Record<string, any>>;
    const mapped = toAlnum9('toolu_01ABCDEF');
    expect(mapped).toMatch(/^[a-zA-Z0-9]{9}$/);
    expect(sent[1].tool_calls[0].id).toBe(mapped);
    expect(sent[2].tool_call_id).toBe(mapped);
    expect(sent[1]).not.toHaveProperty('reasoning_content');
    expect(sent[3]).toEqual(messages[3]);
    expect(sent[4].tool_call_id).toBe('D681PevKs');
  });

  it('uses max_tokens for vendors that do not prefer max_completion_tokens', () => {
    const { body } = build({ ...hello, max_completion_tokens: 300 }, callTarget('deepseek', 'deepseek-chat'));
    expect(body.max_tokens).toBe(300);
    expect(body).not.toHaveProperty('max_completion_tokens');
  });

  it('merges a custom override in wire names over the body, replacing the preset', () => {
    const custom = { reasoningEffort: 'high', serviceTier: 'flex', textVerbosity: 'low' };
    const { body } = build(hello, callTarget('openai', 'gpt-5.4', { settings: reasoning('custom', custom) }));
    expect(body).toMatchObject({ reasoning_effort: 'high', service_tier: 'flex', verbosity: 'low' });
    expect(body).not.toHaveProperty('text_verbosity');
    const compatible = build(hello, callTarget('zai', 'glm-5.1', { settings: reasoning('custom', { thinking: { type: 'enabled', clearThinking: false } }) })).body;
    expect(compatible.thinking).toEqual({ type: 'enabled', clear_thinking: false });
  });

  it('passes tools, response_format and canonical fields it does not know through untouched', () => {
    const request = {
      ...hello,
      tools: [{ type: 'function' as const, function: { name: 'f', parameters: { type: 'object' } } }],
      tool_choice: { type: 'function' as const, function: { name: 'f' } },
      parallel_tool_calls: false,
      response_format: { type: 'json_schema' as const, json_schema: { name: 'x', schema: { type: 'object' }, strict: true } },
      stop: ['END'],
      logprobs: true,
    };
    const { body } = build(request as ChatRequest, callTarget('together', 'meta-llama/Llama-3.3-70B-Instruct-Turbo'));
    expect(body).toMatchObject({ tools: request.tools, tool_choice: request.tool_choice, parallel_tool_calls: false, response_format: request.response_format, stop: ['END'], logprobs: true });
  });
});
