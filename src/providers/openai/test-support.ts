// Fixture helpers for this folder's tests and OpenRouter's (not used by the adapter).
import { readFileSync } from 'node:fs';
import { request } from 'undici';
import type {
  CallTarget,
  ChatCompletion,
  ChatCompletionChunk,
  ChatRequest,
  ProviderAdapter,
  ResponseMeta,
  StreamStep,
  StreamTranslator,
  UpstreamError,
  UpstreamRequest,
} from '../types.js';

export const META: ResponseMeta = { id: 'chatcmpl-gateway-1', created: 1_800_000_000, model: 'configured-model' };

export function fixtureText(dir: URL, name: string): string {
  return readFileSync(new URL(`fixtures/${name}`, dir), 'utf8');
}

export function fixtureJson(dir: URL, name: string): unknown {
  return JSON.parse(fixtureText(dir, name));
}

export interface StreamRun {
  chunks: ChatCompletionChunk[];
  steps: StreamStep[];
  final: StreamStep;
}

/** Feeds the bytes in small, uneven pieces (splitting lines and UTF-8 sequences) and finishes. */
export function runStream(translator: StreamTranslator, text: string, pieceSize = 7): StreamRun {
  const bytes = new TextEncoder().encode(text);
  const steps: StreamStep[] = [];
  for (let offset = 0; offset < bytes.length; offset += pieceSize) steps.push(translator.push(bytes.subarray(offset, offset + pieceSize)));
  const final = translator.finish();
  steps.push(final);
  return { chunks: steps.flatMap((step) => step.chunks), steps, final };
}

export function firstError(run: StreamRun): StreamStep['error'] {
  return run.steps.find((step) => step.error)?.error;
}

/** The content, reasoning and tool-call arguments a client would assemble from the chunks. */
export function assemble(chunks: ChatCompletionChunk[]): {
  content: string;
  reasoning: string;
  toolCalls: Array<{ id?: string; name: string; arguments: string }>;
  finishReason: string | null;
} {
  let content = '';
  let reasoning = '';
  let finishReason: string | null = null;
  const toolCalls: Array<{ id?: string; name: string; arguments: string }> = [];
  for (const chunk of chunks) {
    for (const choice of chunk.choices) {
      const delta = choice.delta;
      if (typeof delta.content === 'string') content += delta.content;
      if (typeof delta.reasoning_content === 'string') reasoning += delta.reasoning_content;
      for (const call of delta.tool_calls ?? []) {
        const slot = (toolCalls[call.index] ??= { name: '', arguments: '' });
        if (call.id) slot.id = call.id;
        if (call.function.name) slot.name += call.function.name;
        slot.arguments += call.function.arguments ?? '';
      }
      if (choice.finish_reason) finishReason = choice.finish_reason;
    }
  }
  return { content, reasoning, toolCalls, finishReason };
}

// ---------------------------------------------------------------- against a live (fake) upstream

const WIRE_META: ResponseMeta = { id: 'chatcmpl-gw', created: 1_800_000_000, model: 'configured' };

export function send(upstream: UpstreamRequest) {
  return request(upstream.url, { method: upstream.method, headers: upstream.headers, body: upstream.body });
}

/** One non-streamed call through an adapter: the canonical completion, or the classified error. */
export async function complete(adapter: ProviderAdapter, chat: ChatRequest, target: CallTarget): Promise<ChatCompletion | UpstreamError> {
  const res = await send(adapter.buildChatRequest(chat, target, { stream: false, now: new Date() }));
  const text = await res.body.text();
  if (res.statusCode !== 200) return adapter.classifyError(res.statusCode, res.headers, text);
  return adapter.parseChatResponse(JSON.parse(text), target, WIRE_META);
}

/** One streamed call through an adapter, translated read by read; throws the stream's error. */
export async function streamChat(adapter: ProviderAdapter, chat: ChatRequest, target: CallTarget) {
  const res = await send(adapter.buildChatRequest(chat, target, { stream: true, now: new Date() }));
  if (res.statusCode !== 200) throw adapter.classifyError(res.statusCode, res.headers, await res.body.text());
  const translator = adapter.createStreamTranslator(target, WIRE_META);
  const chunks: ChatCompletionChunk[] = [];
  let reads = 0;
  for await (const bytes of res.body) {
    const step = translator.push(bytes as Uint8Array);
    if (step.error) throw step.error;
    reads += 1;
    chunks.push(...step.chunks);
  }
  const final = translator.finish();
  if (final.error) throw final.error;
  chunks.push(...final.chunks);
  return { chunks, usage: translator.usage(), reads };
}
