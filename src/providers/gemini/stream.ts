// `streamGenerateContent?alt=sse`: every `data:` is a whole GenerateContentResponse
// holding the next few parts. There is no [DONE]: the terminal signal is a candidate
// with a finishReason (or, for a blocked prompt, promptFeedback.blockReason). A
// functionCall always arrives complete, so each becomes one tool-call delta.
import { ChunkBuilder } from '../shared/chunks.js';
import { safeJsonParse } from '../shared/http-errors.js';
import { SseDecoder, type SseEvent } from '../shared/sse.js';
import {
  UpstreamError,
  type ChatCompletionChunk,
  type ChunkDelta,
  type FinishReason,
  type ResponseMeta,
  type StreamStep,
  type StreamTranslator,
  type Usage,
} from '../types.js';
import { failedFinish, mapFinishReason } from './finish-reason.js';
import { embeddedError, toolCallId, toUsage, translateParts } from './response.js';
import type { GeminiPart, GeminiResponse } from './wire.js';

export class GeminiStreamTranslator implements StreamTranslator {
  readonly #meta: ResponseMeta;
  readonly #chunks: ChunkBuilder;
  readonly #decoder = new SseDecoder();
  #toolCalls = 0;
  #producedOutput = false;
  #usage: Usage | null = null;
  #usageSent = false;
  #terminal = false;
  #failed = false;

  constructor(meta: ResponseMeta) {
    this.#meta = meta;
    this.#chunks = new ChunkBuilder(meta);
  }

  push(bytes: Uint8Array): StreamStep {
    return this.#handle(this.#decoder.push(bytes));
  }

  finish(): StreamStep {
    const step = this.#handle(this.#decoder.end());
    if (step.error || this.#failed) return step;
    if (!this.#terminal) {
      return { ...step, error: new UpstreamError({ kind: 'truncated', providerMessage: 'Gemini stream ended before a finishReason' }) };
    }
    this.#flushUsage(step.chunks);
    return step;
  }

  usage(): Usage | null {
    return this.#usage;
  }

  #handle(events: SseEvent[]): StreamStep {
    const chunks: ChatCompletionChunk[] = [];
    for (const event of events) {
      if (this.#failed) break;
      const error = this.#event(event, chunks);
      if (error) {
        this.#failed = true;
        return { chunks, error, done: false };
      }
    }
    return { chunks, done: this.#terminal };
  }

  #event(event: SseEvent, chunks: ChatCompletionChunk[]): UpstreamError | null {
    if (!event.data.trim()) return null;
    const body = safeJsonParse(event.data);
    if (body === undefined || typeof body !== 'object' || body === null) {
      return new UpstreamError({ kind: 'invalid_response', providerMessage: 'Gemini sent a stream event that is not JSON' });
    }
    const embedded = embeddedError(body);
    if (embedded) return embedded;

    const response = body as GeminiResponse;
    this.#usage = toUsage(response.usageMetadata) ?? this.#usage;
    // Events after the finish can only refresh the usage figures.
    if (this.#terminal) return null;

    const candidate = response.candidates?.[0];
    this.#content(candidate?.content?.parts, chunks);
    if (candidate?.finishReason) {
      if (failedFinish(candidate.finishReason, this.#producedOutput)) {
        return new UpstreamError({
          kind: 'server',
          status: 200,
          providerMessage: `Gemini ended without an answer (${candidate.finishReason})`,
          providerCode: candidate.finishReason,
        });
      }
      this.#close(mapFinishReason(candidate.finishReason, this.#toolCalls > 0), chunks);
    } else if (!candidate && response.promptFeedback?.blockReason) {
      this.#close('content_filter', chunks);
    }
    return null;
  }

  #content(parts: GeminiPart[] | undefined, chunks: ChatCompletionChunk[]): void {
    const translated = translateParts(parts);
    const delta: ChunkDelta = {};
    if (translated.reasoning) delta.reasoning_content = translated.reasoning;
    if (translated.text) delta.content = translated.text;
    if (translated.toolCalls.length > 0) {
      delta.tool_calls = translated.toolCalls.map((call) => {
        const index = this.#toolCalls++;
        return { index, id: toolCallId(this.#meta, index), type: 'function' as const, function: call };
      });
    }
    if (translated.thinkingBlocks.length > 0) delta.thinking_blocks = translated.thinkingBlocks;
    if (Object.keys(delta).length === 0) return;
    if (translated.text || translated.toolCalls.length > 0) this.#producedOutput = true;
    chunks.push(this.#chunks.delta(delta));
  }

  #close(reason: FinishReason, chunks: ChatCompletionChunk[]): void {
    this.#terminal = true;
    chunks.push(this.#chunks.delta({}, reason));
    this.#flushUsage(chunks);
  }

  #flushUsage(chunks: ChatCompletionChunk[]): void {
    if (this.#usageSent || !this.#usage) return;
    this.#usageSent = true;
    chunks.push(this.#chunks.usage(this.#usage));
  }
}
