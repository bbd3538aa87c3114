// OpenAI-style SSE → canonical chunks. Each `data:` line is parsed once and the chunk
// is normalised in place (our id/model, reasoning → reasoning_content, stable tool-call
// indexes) and handed on; usage is held back and sent once, as the final
// `{choices: [], usage}` chunk.
//
// Terminal event: `data: [DONE]`, or a chunk with a finish_reason followed by the end of
// the body (some compatible servers never send [DONE]). A body that ends with neither is
// truncated.
import { SseDecoder, type SseEvent } from '../shared/sse.js';
import type { ChatCompletionChunk, ChunkDelta, FinishReason, ResponseMeta, StreamStep, StreamTranslator, Usage } from '../types.js';
import { UpstreamError } from '../types.js';
import { classifyEmbeddedError } from './errors.js';
import { FAILED_FINISH_REASONS, mapFinishReason } from './finish-reason.js';
import { failedFinishError, foldReasoning, isRecord, normaliseUsage, type EmbeddedClassifier } from './response.js';
import type { WireCompletion, WireErrorBody, WireMessage, WireToolCall, WireUsage } from './wire.js';

/** Vendor hooks (OpenRouter reasoning_details). */
export interface StreamExtension {
  /** Sees each normalised delta; may move vendor fields out of it. */
  onDelta?(choiceIndex: number, delta: WireMessage): void;
  /** Delta fields sent just before the choice's finish chunk (OpenRouter: the collected thinking_blocks). */
  beforeFinish?(choiceIndex: number): ChunkDelta | null;
}

interface ToolCallState {
  id: string;
  argumentsLength: number;
}

interface ChoiceState {
  roleSent: boolean;
  /** Vendor tool-call index → our dense index. */
  byVendorIndex: Map<number, number>;
  calls: ToolCallState[];
}

export class OpenAiStreamTranslator implements StreamTranslator {
  readonly #meta: ResponseMeta;
  readonly #classify: EmbeddedClassifier;
  readonly #extension: StreamExtension | null;
  readonly #decoder = new SseDecoder();
  readonly #choices: ChoiceState[] = [];
  #usage: Usage | null = null;
  #usageSent = false;
  #sawFinish = false;
  #done = false;
  #error: UpstreamError | null = null;

  constructor(meta: ResponseMeta, classify: EmbeddedClassifier = classifyEmbeddedError, extension: StreamExtension | null = null) {
    this.#meta = meta;
    this.#classify = classify;
    this.#extension = extension;
  }

  push(bytes: Uint8Array): StreamStep {
    return this.#translate(this.#decoder.push(bytes));
  }

  finish(): StreamStep {
    const step = this.#translate(this.#decoder.end());
    if (this.#error) return { ...step, error: this.#error };
    if (!this.#done && !this.#sawFinish) {
      return { ...step, error: new UpstreamError({ kind: 'truncated', providerMessage: 'The stream ended before a finish_reason or [DONE]' }) };
    }
    if (!this.#done) {
      this.#done = true;
      this.#sendUsage(step.chunks);
    }
    return { ...step, done: true };
  }

  usage(): Usage | null {
    return this.#usage;
  }

  #translate(events: SseEvent[]): StreamStep {
    const chunks: ChatCompletionChunk[] = [];
    const earlier = this.#error;
    for (const event of events) {
      if (this.#done || this.#error) break;
      const data = event.data;
      if (data === '[DONE]') {
        this.#done = true;
        this.#sendUsage(chunks);
        break;
      }
      if (data.trim() === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(data);
      } catch {
        this.#error = new UpstreamError({ kind: 'invalid_response', providerMessage: 'The provider sent an undecodable stream event' });
        break;
      }
      if (!isRecord(parsed)) {
        this.#error = new UpstreamError({ kind: 'invalid_response', providerMessage: 'The provider sent a stream event that is not a JSON object' });
        break;
      }
      const chunk = parsed as WireCompletion;
      if ((chunk.error !== undefined && chunk.error !== null) || chunk.object === 'error' || event.event === 'error') {
        this.#error = this.#classify(chunk.error ?? (chunk as WireErrorBody));
        break;
      }
      this.#handle(chunk, chunks);
    }
    // An error is reported by the push that met it (and again by finish()).
    return this.#error && this.#error !== earlier ? { chunks, error: this.#error, done: this.#done } : { chunks, done: this.#done };
  }

  #handle(chunk: WireCompletion, out: ChatCompletionChunk[]): void {
    const usage = chunk.usage ?? chunk.x_groq?.usage;
    if (usage) this.#usage = normaliseUsage(usage);
    const choices = chunk.choices;
    if (!Array.isArray(choices) || choices.length === 0) return;
    if (chunk.usage !== undefined) delete chunk.usage;
    chunk.id = this.#meta.id;
    chunk.object = 'chat.completion.chunk';
    chunk.created = this.#meta.created;
    chunk.model = this.#meta.model;
    let finishing: Array<{ index: number; reason: FinishReason }> | null = null;
    let failure: WireErrorBody | string | null = null;
    for (const choice of choices) {
      const index = typeof choice.index === 'number' ? choice.index : 0;
      choice.index = index;
      const state = this.#state(index);
      // Moonshot puts the final usage inside the choice.
      if (isRecord(choice.usage)) {
        this.#usage = normaliseUsage(choice.usage as WireUsage);
        delete choice.usage;
      }
      const delta = (choice.delta ??= {});
      this.#normaliseDelta(delta, state);
      this.#extension?.onDelta?.(index, delta);
      const raw = choice.finish_reason;
      choice.finish_reason = null;
      if (raw === null || raw === undefined) continue;
      if (FAILED_FINISH_REASONS.has(raw)) {
        failure = failedFinishError(choice.error, raw);
        continue;
      }
      const reason = mapFinishReason(raw, state.calls.length > 0) as FinishReason;
      if (this.#needsCloseOut(state)) (finishing ??= []).push({ index, reason });
      else {
        choice.finish_reason = reason;
        this.#sawFinish = true;
      }
    }
    out.push(chunk as unknown as ChatCompletionChunk);
    if (failure !== null) {
      this.#error = this.#classify(failure);
      return;
    }
    if (finishing) for (const { index, reason } of finishing) this.#closeOut(index, reason, out);
  }

  #state(index: number): ChoiceState {
    let state = this.#choices[index];
    if (!state) state = this.#choices[index] = { roleSent: false, byVendorIndex: new Map(), calls: [] };
    return state;
  }

  #normaliseDelta(delta: WireMessage, state: ChoiceState): void {
    if (!state.roleSent) {
      delta.role = 'assistant';
      state.roleSent = true;
    }
    foldReasoning(delta);
    const calls = delta.tool_calls;
    if (calls === null || (Array.isArray(calls) && calls.length === 0)) delete delta.tool_calls;
    else if (Array.isArray(calls)) for (const call of calls) this.#normaliseToolCall(call, state);
  }

  #normaliseToolCall(call: WireToolCall, state: ChoiceState): void {
    const ours = this.#toolIndex(call, state);
    const tracked = state.calls[ours];
    const fn = (call.function ??= {});
    if (tracked.id === '') {
      // First fragment of this call: it carries the id, type and name.
      tracked.id = call.id ?? `call_${ours}_${this.#meta.id}`;
      call.id = tracked.id;
      call.type = 'function';
      fn.name ??= '';
    } else {
      // Some servers repeat id and name on every fragment; clients would concatenate them.
      delete call.id;
      delete call.type;
      delete fn.name;
    }
    if (typeof fn.arguments !== 'string') fn.arguments = '';
    tracked.argumentsLength += fn.arguments.length;
    call.index = ours;
  }

  /** Dense, stable indexes; servers that send no index (whole calls per chunk) are told apart by id. */
  #toolIndex(call: WireToolCall, state: ChoiceState): number {
    if (typeof call.index === 'number') {
      const known = state.byVendorIndex.get(call.index);
      if (known !== undefined) return known;
      state.byVendorIndex.set(call.index, state.calls.length);
    } else {
      const last = state.calls.length - 1;
      if (last >= 0 && (call.id === undefined || call.id === state.calls[last].id)) return last;
    }
    state.calls.push({ id: '', argumentsLength: 0 });
    return state.calls.length - 1;
  }

  #needsCloseOut(state: ChoiceState): boolean {
    return state.calls.some((call) => call.argumentsLength === 0) || this.#extension?.beforeFinish !== undefined;
  }

  /** Before the finish chunk: `"{}"` for calls that got no arguments, then the extension's fields. */
  #closeOut(index: number, reason: FinishReason, out: ChatCompletionChunk[]): void {
    const state = this.#choices[index];
    const empty = state.calls.flatMap((call, i) => (call.argumentsLength === 0 ? [{ index: i, function: { arguments: '{}' } }] : []));
    if (empty.length > 0) {
      for (const call of state.calls) if (call.argumentsLength === 0) call.argumentsLength = 2;
      out.push(this.#chunk(index, { tool_calls: empty }, null));
    }
    const extra = this.#extension?.beforeFinish?.(index);
    if (extra) out.push(this.#chunk(index, extra, null));
    out.push(this.#chunk(index, {}, reason));
    this.#sawFinish = true;
  }

  #chunk(index: number, delta: ChunkDelta, finishReason: FinishReason | null): ChatCompletionChunk {
    const { id, created, model } = this.#meta;
    return { id, object: 'chat.completion.chunk', created, model, choices: [{ index, delta, finish_reason: finishReason }] };
  }

  #sendUsage(out: ChatCompletionChunk[]): void {
    if (!this.#usage || this.#usageSent) return;
    this.#usageSent = true;
    const { id, created, model } = this.#meta;
    out.push({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: this.#usage });
  }
}
