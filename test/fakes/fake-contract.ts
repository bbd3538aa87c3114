// What the fake-upstream tests share: a fake started for the file, and calls that go
// through an adapter to it and back (built request → real HTTP → parsed answer).
import { request } from 'undici';
import { afterAll, beforeAll, expect } from 'vitest';
import {
  UpstreamError,
  type CallTarget,
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatRequest,
  type ChunkDelta,
  type ProbeOutcome,
  type ProviderAdapter,
  type ResponseMeta,
  type StreamStep,
  type Usage,
  type UpstreamRequest,
} from '../../src/providers/types.js';
import type { FakeUpstream } from './fake-server.js';

export const hello: ChatRequest = { messages: [{ role: 'user', content: 'Hi' }] };
export const weatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};
export const weatherTools: ChatRequest['tools'] = [weatherTool];

/** The turn after the fake called get_weather (as `callId`) and the tool answered `result`. */
export function toolResultTurn(callId: string, result = 'Sunny'): ChatRequest {
  return {
    messages: [
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: null, tool_calls: [{ id: callId, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: callId, content: result },
    ],
    tools: weatherTools,
  };
}

/** Starts the fake before the file's tests and closes it after; the handle reaches the running fake. */
export function useFakeUpstream(start: () => Promise<FakeUpstream>): FakeUpstream {
  let fake: FakeUpstream | undefined;
  beforeAll(async () => {
    fake = await start();
  });
  afterAll(async () => {
    await fake?.close();
  });
  const running = (): FakeUpstream => {
    if (!fake) throw new Error('the fake upstream is not running');
    return fake;
  };
  return {
    get baseUrl() {
      return running().baseUrl;
    },
    get requests() {
      return running().requests;
    },
    failNext: (status, body, headers) => running().failNext(status, body, headers),
    close: () => running().close(),
  };
}

export function send(built: UpstreamRequest) {
  return request(built.url, { method: built.method, headers: built.headers, body: built.body });
}

/** One non-streamed call: the translated completion, or the adapter's reading of the error. */
export async function chatThrough(adapter: ProviderAdapter, chat: ChatRequest, target: CallTarget, meta: ResponseMeta): Promise<ChatCompletion | UpstreamError> {
  const res = await send(adapter.buildChatRequest(chat, target, { stream: false, now: new Date() }));
  const text = await res.body.text();
  if (res.statusCode >= 300) return adapter.classifyError(res.statusCode, res.headers, text);
  return adapter.parseChatResponse(JSON.parse(text), target, meta);
}

/** chatThrough(), throwing the UpstreamError instead of returning it. */
export async function chatThroughOrThrow(adapter: ProviderAdapter, chat: ChatRequest, target: CallTarget, meta: ResponseMeta): Promise<ChatCompletion> {
  const result = await chatThrough(adapter, chat, target, meta);
  if (result instanceof UpstreamError) throw result;
  return result;
}

export interface StreamRun {
  /** One step per read, then finish()'s (none after an error). */
  steps: StreamStep[];
  chunks: ChatCompletionChunk[];
  deltas: ChunkDelta[];
  /** How many reads the body came in. */
  reads: number;
  error?: UpstreamError;
  last: StreamStep;
  usage: Usage | null;
}

/** One streamed call, translated read by read; it must answer 200. */
export async function streamThrough(adapter: ProviderAdapter, chat: ChatRequest, target: CallTarget, meta: ResponseMeta): Promise<StreamRun> {
  const res = await send(adapter.buildChatRequest(chat, target, { stream: true, now: new Date() }));
  expect(res.statusCode).toBe(200);
  const translator = adapter.createStreamTranslator(target, meta);
  const steps: StreamStep[] = [];
  for await (const bytes of res.body) {
    const step = translator.push(bytes as Uint8Array);
    steps.push(step);
    if (step.error) break;
  }
  const reads = steps.length;
  if (!steps.at(-1)?.error) steps.push(translator.finish());
  const chunks = steps.flatMap((step) => step.chunks);
  const last = steps[steps.length - 1];
  return {
    steps,
    chunks,
    deltas: chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta)),
    reads,
    error: steps.find((step) => step.error)?.error,
    last,
    usage: translator.usage(),
  };
}

/** The adapter's probe, sent to the fake and read back. */
export async function probeThrough(adapter: ProviderAdapter, target: CallTarget): Promise<ProbeOutcome> {
  const res = await send(adapter.buildProbeRequest(target, { now: new Date() }));
  return adapter.parseProbeResponse(res.statusCode, res.headers, await res.body.text(), target);
}

/** The probe passes, and the fake's model list has the target's model and `fake-model`. */
export async function expectProbeFindsModels(adapter: ProviderAdapter, target: CallTarget): Promise<void> {
  const outcome = await probeThrough(adapter, target);
  expect(outcome).toMatchObject({ status: 'ok', modelFound: true });
  expect(outcome.models).toContain('fake-model');
}
