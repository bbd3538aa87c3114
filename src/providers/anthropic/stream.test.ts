import { describe, expect, it } from 'vitest';
import type { ChatCompletionChunk, StreamStep } from '../types.js';
import { AnthropicStreamTranslator } from './stream.js';
import { META, fixtureText } from './test-support.js';

const encoder = new TextEncoder();

interface Run {
  chunks: ChatCompletionChunk[];
  steps: StreamStep[];
  end: StreamStep;
  translator: AnthropicStreamTranslator;
}

/** Feeds the stream in pieces of `size` bytes (splitting events and UTF-8 sequences), then ends it. */
function run(sse: string, size = Number.POSITIVE_INFINITY): Run {
  const translator = new AnthropicStreamTranslator(META);
  const bytes = encoder.encode(sse);
  const steps: StreamStep[] = [];
  const step = Number.isFinite(size) ? size : bytes.length;
  for (let i = 0; i < bytes.length; i += step) steps.push(translator.push(bytes.subarray(i, i + step)));
  const end = translator.finish();
  return { chunks: [...steps, end].flatMap((s) => s.chunks), steps, end, translator };
}

function deltas(chunks: ChatCompletionChunk[]) {
  return chunks.flatMap((c) => c.choices.map((choice) => choice.delta));
}

describe('anthropic stream: text', () => {
  const { chunks, end, steps, translator } = run(fixtureText('stream-text.sse'));

  it('stamps every chunk with our id, model and created time', () => {
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({ id: META.id, object: 'chat.completion.chunk', created: META.created, model: META.model });
    }
  });

  it('opens with the assistant role and carries the text', () => {
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(deltas(chunks).filter((d) => d.role).length).toBe(1);
    expect(deltas(chunks).map((d) => d.content ?? '').join('')).toBe('Hello! Héllo wörld');
  });

  it('closes the choice with a finish_reason, then a usage chunk with no choices', () => {
    const finish = chunks.filter((c) => c.choices[0]?.finish_reason);
    expect(finish.map((c) => c.choices[0].finish_reason)).toEqual(['stop']);
    const last = chunks[chunks.length - 1];
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual({
      prompt_tokens: 25 + 1024,
      completion_tokens: 15,
      total_tokens: 25 + 1024 + 15,
      prompt_tokens_details: { cached_tokens: 1024, cache_creation_tokens: 0 },
    });
    expect(translator.usage()).toEqual(last.usage);
  });

  it('is done at message_stop, with no error', () => {
    expect(steps[steps.length - 1].done).toBe(true);
    expect(end.error).toBeUndefined();
  });

  it('gives the same chunks when the bytes arrive one at a time', () => {
    expect(run(fixtureText('stream-text.sse'), 1).chunks).toEqual(chunks);
  });
});

describe('anthropic stream: thinking and tools', () => {
  const { chunks, end } = run(fixtureText('stream-thinking-tools.sse'), 7);
  const toolDeltas = deltas(chunks).flatMap((d) => d.tool_calls ?? []);

  it('numbers tool calls 0, 1 (not by content-block index), id and name in the first fragment', () => {
    expect(toolDeltas.filter((t) => t.id)).toEqual([
      { index: 0, id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', type: 'function', function: { name: 'get_weather', arguments: '' } },
      { index: 1, id: 'toolu_01QE1WLsSVp5hy5Q3GmGTmjP', type: 'function', function: { name: 'get_time', arguments: '' } },
    ]);
  });

  it('streams argument fragments, and "{}" for a tool called without arguments', () => {
    const args = (index: number) =>
      toolDeltas
        .filter((t) => t.index === index)
        .map((t) => t.function.arguments)
        .join('');
    expect(JSON.parse(args(0))).toEqual({ city: 'Paris' });
    expect(toolDeltas.filter((t) => t.index === 0 && !t.id).length).toBe(2);
    expect(args(1)).toBe('{}');
  });

  it('sends reasoning as reasoning_content and the signed block as thinking_blocks', () => {
    const all = deltas(chunks);
    expect(all.map((d) => d.reasoning_content ?? '').join('')).toBe('I need the weather and the time.');
    expect(all.flatMap((d) => d.thinking_blocks ?? [])).toEqual([
      { type: 'thinking', thinking: 'I need the weather and the time.', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3h' },
    ]);
    expect(all.map((d) => d.content ?? '').join('')).toBe('Okay, let me check.');
  });

  it('finishes with tool_calls and reports reasoning tokens', () => {
    expect(chunks.map((c) => c.choices[0]?.finish_reason).filter(Boolean)).toEqual(['tool_calls']);
    expect(chunks[chunks.length - 1].usage).toMatchObject({
      prompt_tokens: 472,
      completion_tokens: 89,
      completion_tokens_details: { reasoning_tokens: 21 },
    });
    expect(end.error).toBeUndefined();
  });
});

describe('anthropic stream: failures', () => {
  it('classifies an overloaded_error event after the 200 as a server error', () => {
    const { steps, end, chunks } = run(fixtureText('stream-error-overloaded.sse'));
    const error = steps.find((s) => s.error)?.error;
    expect(error).toMatchObject({ kind: 'server', providerCode: 'overloaded_error', providerMessage: 'Overloaded' });
    expect(end.error).toBe(error);
    // Nothing was emitted before the error, so the caller's 200 need not be committed.
    expect(chunks).toEqual([]);
  });

  it('classifies a rate_limit_error event as rate_limited', () => {
    const sse = 'event: error\ndata: {"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}\n\n';
    expect(run(sse).end.error).toMatchObject({ kind: 'rate_limited' });
  });

  it('reports a stream cut before message_stop as truncated, after forwarding what arrived', () => {
    const { end, chunks } = run(fixtureText('stream-truncated.sse'));
    expect(end.error).toMatchObject({ kind: 'truncated' });
    expect(end.done).toBe(false);
    expect(deltas(chunks).map((d) => d.content ?? '').join('')).toBe('The answer is');
  });

  it('reports undecodable event data as an invalid response', () => {
    const sse = 'event: message_start\ndata: {"type":"message_start","message":{\n\n';
    expect(run(sse).end.error).toMatchObject({ kind: 'invalid_response' });
  });

  it('has no usage before the upstream reports any', () => {
    expect(new AnthropicStreamTranslator(META).usage()).toBeNull();
  });
});
