import { describe, expect, it } from 'vitest';
import { encodeEventStreamMessage } from '../shared/aws-event-stream.js';
import type { ChatCompletionChunk, StreamStep } from '../types.js';
import { BedrockStreamTranslator } from './stream.js';
import { eventStreamFixture, fixture, META } from './test-support.js';

function run(bytes: Uint8Array, chunkSize = bytes.length): { chunks: ChatCompletionChunk[]; steps: StreamStep[]; translator: BedrockStreamTranslator } {
  const translator = new BedrockStreamTranslator(META);
  const steps: StreamStep[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) steps.push(translator.push(bytes.subarray(i, i + chunkSize)));
  steps.push(translator.finish());
  return { chunks: steps.flatMap((s) => s.chunks), steps, translator };
}

const deltas = (chunks: ChatCompletionChunk[]) => chunks.filter((c) => c.choices.length).map((c) => c.choices[0].delta);

function frame(eventType: string, payload: unknown, messageType = 'event'): Uint8Array {
  return encodeEventStreamMessage({ ':event-type': eventType, ':content-type': 'application/json', ':message-type': messageType }, JSON.stringify(payload));
}

function exception(type: string, message: string): Uint8Array {
  return encodeEventStreamMessage({ ':exception-type': type, ':content-type': 'application/json', ':message-type': 'exception' }, JSON.stringify({ message }));
}

describe('Bedrock ConverseStream', () => {
  it('streams text: role first, content, finish_reason, then a usage chunk counting cache reads', () => {
    const { chunks, steps, translator } = run(eventStreamFixture('stream-text.events.json'));
    for (const chunk of chunks) expect(chunk).toMatchObject({ id: META.id, object: 'chat.completion.chunk', created: META.created, model: META.model });
    expect(deltas(chunks)).toEqual([{ role: 'assistant', content: '' }, { content: 'Hello' }, { content: ' there' }, {}]);
    expect(chunks.filter((c) => c.choices.length).map((c) => c.choices[0].finish_reason)).toEqual([null, null, null, 'stop']);
    const usageChunk = chunks[chunks.length - 1];
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage).toEqual({ prompt_tokens: 31, completion_tokens: 4, total_tokens: 35, prompt_tokens_details: { cached_tokens: 20 } });
    expect(translator.usage()).toEqual(usageChunk.usage);
    expect(steps.some((s) => s.error)).toBe(false);
    expect(steps[0].done).toBe(true);
  });

  it('gives the same chunks however the bytes are split', () => {
    const bytes = eventStreamFixture('stream-tool-use.events.json');
    const whole = run(bytes).chunks;
    expect(run(bytes, 1).chunks).toEqual(whole);
    expect(run(bytes, 7).chunks).toEqual(whole);
  });

  it('streams tool calls with stable indexes, id and name first, and "{}" for a call without arguments', () => {
    const { chunks } = run(eventStreamFixture('stream-tool-use.events.json'));
    const toolDeltas = deltas(chunks).flatMap((d) => d.tool_calls ?? []);
    expect(toolDeltas).toEqual([
      { index: 0, id: 'tooluse_A1', type: 'function', function: { name: 'get_weather', arguments: '' } },
      { index: 0, function: { arguments: '{"ci' } },
      { index: 0, function: { arguments: 'ty":"Paris"}' } },
      { index: 1, id: 'tooluse_B2', type: 'function', function: { name: 'get_time', arguments: '' } },
      { index: 1, function: { arguments: '{}' } },
    ]);
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe('tool_calls');
  });

  it('streams reasoning as reasoning_content and closes each block with its signature or redacted data', () => {
    const { chunks } = run(eventStreamFixture('stream-reasoning.events.json'));
    const all = deltas(chunks);
    expect(all.map((d) => d.reasoning_content).filter(Boolean).join('')).toBe('Two plus two is four.');
    expect(all.flatMap((d) => d.thinking_blocks ?? [])).toEqual([
      { type: 'thinking', thinking: 'Two plus two is four.', signature: 'EqQBCkYIBxgCIkB=' },
      { type: 'redacted_thinking', data: 'UmVkYWN0ZWQ=' },
    ]);
    expect(all.map((d) => d.content).filter(Boolean)).toEqual(['4']);
  });

  it('reports a stream cut before messageStop as truncated', () => {
    const messageStop = frame('messageStop', { stopReason: 'end_turn' });
    const beforeStop = Buffer.concat([frame('messageStart', { role: 'assistant' }), frame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hel' } })]);
    for (const bytes of [beforeStop, Buffer.concat([beforeStop, messageStop.subarray(0, messageStop.length - 5)])]) {
      const { steps } = run(bytes);
      expect(steps[steps.length - 1].error?.kind).toBe('truncated');
    }
  });

  it('ends cleanly when the stream stops after messageStop without metadata', () => {
    const bytes = Buffer.concat([frame('messageStart', { role: 'assistant' }), frame('messageStop', { stopReason: 'end_turn' })]);
    const { steps, translator } = run(bytes);
    expect(steps.every((s) => !s.error)).toBe(true);
    expect(steps[steps.length - 1].done).toBe(true);
    expect(translator.usage()).toBeNull();
  });

  it('classifies a modelStreamErrorException frame captured from Bedrock as a server error', () => {
    const { steps } = run(Buffer.from(fixture('model-stream-error-exception.eventstream.b64').trim(), 'base64'));
    expect(steps[0].error).toMatchObject({ kind: 'server', providerCode: 'modelStreamErrorException', providerMessage: 'Model Stream Error' });
    expect(steps[0].done).toBe(true);
  });

  it.each([
    ['throttlingException', 'rate_limited'],
    ['serviceUnavailableException', 'server'],
    ['internalServerException', 'server'],
    ['validationException', 'bad_request'],
    ['accessDeniedException', 'auth'],
  ])('classifies a %s frame in a 200 stream as %s', (type, kind) => {
    const bytes = Buffer.concat([frame('messageStart', { role: 'assistant' }), exception(type, 'nope')]);
    const { steps } = run(bytes);
    expect(steps[0].chunks).toHaveLength(1);
    expect(steps[0].error?.kind).toBe(kind);
  });

  it('classifies an error-type frame from its headers', () => {
    const bytes = encodeEventStreamMessage({ ':message-type': 'error', ':error-code': 'ThrottlingException', ':error-message': 'slow down' }, '');
    expect(run(bytes).steps[0].error).toMatchObject({ kind: 'rate_limited', providerMessage: 'slow down' });
  });

  it('reports a frame with a bad checksum as invalid_response', () => {
    const bytes = Buffer.from(eventStreamFixture('stream-text.events.json'));
    bytes[bytes.length - 10] ^= 0xff;
    const { steps } = run(bytes);
    expect(steps[0].error?.kind).toBe('invalid_response');
    expect(steps[0].chunks.length).toBeGreaterThan(0);
  });

  it('reports an undecodable JSON payload as invalid_response', () => {
    const bytes = encodeEventStreamMessage({ ':event-type': 'contentBlockDelta', ':message-type': 'event' }, '{"contentBlockIndex":0,');
    expect(run(bytes).steps[0].error?.kind).toBe('invalid_response');
  });
});
