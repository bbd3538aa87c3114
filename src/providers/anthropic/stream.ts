// Anthropic SSE events → OpenAI chat.completion.chunk objects, event by event
// (docs.claude.com/en/docs/build-with-claude/streaming). `message_stop` is the terminal
// event; an `error` event can arrive after the 200 (overloaded_error mid-stream).
import { SseDecoder, type SseEvent } from '../shared/sse.js';
import type {
  ChatCompletionChunk,
  ChunkDelta,
  FinishReason,
  ResponseMeta,
  StreamStep,
  StreamTranslator,
  Usage,
} from '../types.js';
import { UpstreamError } from '../types.js';
import { classifyErrorEvent, errorFields } from './errors.js';
import { mapStopReason } from './finish-reason.js';
import { toUsage } from './response.js';
import type { WireDelta, WireStreamEvent, WireUsage } from './wire.js';

type BlockState =
  | { kind: 'tool'; toolIndex: number; sawArguments: boolean }
  | { kind: 'thinking'; thinking: string; signature: string }
  | { kind: 'other' };

export class AnthropicStreamTranslator implements StreamTranslator {
  readonly #meta: ResponseMeta;
  readonly #decoder = new SseDecoder();
  /** Keyed by the Anthropic content-block index; tool calls get their own dense OpenAI index. */
  readonly #blocks = new Map<number, BlockState>();
  #nextToolIndex = 0;
  #roleSent = false;
  #finishSent = false;
  #usage: WireUsage | null = null;
  #done = false;
  #error: UpstreamError | null = null;

  constructor(meta: ResponseMeta) {
    this.#meta = meta;
  }

  push(bytes: Uint8Array): StreamStep {
    return this.#translate(this.#decoder.push(bytes));
  }

  finish(): StreamStep {
    const step = this.#translate(this.#decoder.end());
    if (this.#error) return { ...step, error: this.#error };
    if (!this.#done) return { ...step, error: new UpstreamError({ kind: 'truncated', providerMessage: 'Anthropic stream ended before message_stop' }) };
    return step;
  }

  usage(): Usage | null {
    return this.#usage ? toUsage(this.#usage) : null;
  }

  #translate(events: SseEvent[]): StreamStep {
    const chunks: ChatCompletionChunk[] = [];
    let error: UpstreamError | undefined;
    for (const event of events) {
      if (this.#done || this.#error) break;
      const parsed = parseEvent(event);
      if (!parsed) {
        error = this.#error = new UpstreamError({ kind: 'invalid_response', providerMessage: 'Anthropic sent an undecodable stream event' });
        break;
      }
      if (parsed.type === 'error') {
        error = this.#error = classifyErrorEvent(errorFields(parsed));
        break;
      }
      this.#handle(parsed, chunks);
    }
    return { chunks, ...(error ? { error } : {}), done: this.#done };
  }

  #handle(event: WireStreamEvent, out: ChatCompletionChunk[]): void {
    switch (event.type) {
      case 'message_start':
        // No chunk yet: the role goes out with the first real delta, so an error event
        // right after message_start (overloaded_error) still precedes any output and
        // the gateway can fail over.
        this.#mergeUsage(event.message?.usage);
        return;
      case 'content_block_start':
        this.#startBlock(event.index, event.content_block, out);
        return;
      case 'content_block_delta':
        this.#delta(event.index, event.delta, out);
        return;
      case 'content_block_stop':
        this.#stopBlock(event.index, out);
        return;
      case 'message_delta':
        this.#mergeUsage(event.usage);
        if (event.delta?.stop_reason) this.#emitFinish(out, mapStopReason(event.delta.stop_reason));
        return;
      case 'message_stop':
        if (!this.#finishSent) this.#emitFinish(out, 'stop');
        if (this.#usage) out.push({ ...this.#base(), choices: [], usage: toUsage(this.#usage) });
        this.#done = true;
        return;
      default:
        // `ping` and event types added after this was written carry nothing to translate.
        return;
    }
  }

  #startBlock(index: number, block: { type: string; [field: string]: unknown }, out: ChatCompletionChunk[]): void {
    if (block?.type === 'tool_use') {
      const toolIndex = this.#nextToolIndex++;
      const input = block.input;
      const prefilled = !!input && typeof input === 'object' && Object.keys(input).length > 0;
      this.#blocks.set(index, { kind: 'tool', toolIndex, sawArguments: prefilled });
      const call = { index: toolIndex, id: String(block.id), type: 'function' as const, function: { name: String(block.name), arguments: prefilled ? JSON.stringify(input) : '' } };
      this.#emit(out, { tool_calls: [call] });
    } else if (block?.type === 'thinking') {
      this.#blocks.set(index, { kind: 'thinking', thinking: String(block.thinking ?? ''), signature: String(block.signature ?? '') });
    } else if (block?.type === 'redacted_thinking') {
      this.#blocks.set(index, { kind: 'other' });
      this.#emit(out, { thinking_blocks: [{ type: 'redacted_thinking', data: String(block.data ?? '') }] });
    } else {
      this.#blocks.set(index, { kind: 'other' });
      if (block?.type === 'text' && typeof block.text === 'string' && block.text) this.#emit(out, { content: block.text });
    }
  }

  #delta(index: number, delta: WireDelta, out: ChatCompletionChunk[]): void {
    const state = this.#blocks.get(index);
    if (delta.type === 'text_delta' && typeof delta.text === 'string' && delta.text) {
      this.#emit(out, { content: delta.text });
    } else if (delta.type === 'thinking_delta' && typeof delta.thinking === 'string' && delta.thinking) {
      if (state?.kind === 'thinking') state.thinking += delta.thinking;
      this.#emit(out, { reasoning_content: delta.thinking });
    } else if (delta.type === 'signature_delta' && typeof delta.signature === 'string') {
      if (state?.kind === 'thinking') state.signature += delta.signature;
    } else if (delta.type === 'input_json_delta' && state?.kind === 'tool') {
      // The first fragment is often "": only real text is forwarded.
      const fragment = typeof delta.partial_json === 'string' ? delta.partial_json : '';
      if (!fragment) return;
      state.sawArguments = true;
      this.#emit(out, { tool_calls: [{ index: state.toolIndex, function: { arguments: fragment } }] });
    }
  }

  #stopBlock(index: number, out: ChatCompletionChunk[]): void {
    const state = this.#blocks.get(index);
    if (state?.kind === 'tool' && !state.sawArguments) {
      this.#emit(out, { tool_calls: [{ index: state.toolIndex, function: { arguments: '{}' } }] });
    } else if (state?.kind === 'thinking') {
      // One complete block per thinking block, so the caller can replay it verbatim.
      this.#emit(out, { thinking_blocks: [{ type: 'thinking', thinking: state.thinking, signature: state.signature }] });
    }
    this.#blocks.delete(index);
  }

  /** Usage is cumulative: later events repeat or raise earlier counts. */
  #mergeUsage(usage: WireUsage | null | undefined): void {
    if (!usage || typeof usage !== 'object') return;
    const next: WireUsage = { ...this.#usage };
    for (const [key, value] of Object.entries(usage) as Array<[keyof WireUsage, unknown]>) {
      if (value !== null && value !== undefined) (next as Record<string, unknown>)[key] = value;
    }
    this.#usage = next;
  }

  #emitFinish(out: ChatCompletionChunk[], reason: FinishReason): void {
    this.#finishSent = true;
    this.#emit(out, {}, reason);
  }

  #emit(out: ChatCompletionChunk[], delta: ChunkDelta, finishReason: FinishReason | null = null): void {
    const withRole: ChunkDelta = this.#roleSent ? delta : { role: 'assistant', ...delta };
    this.#roleSent = true;
    out.push({ ...this.#base(), choices: [{ index: 0, delta: withRole, finish_reason: finishReason }] });
  }

  #base(): Omit<ChatCompletionChunk, 'choices'> {
    return { id: this.#meta.id, object: 'chat.completion.chunk', created: this.#meta.created, model: this.#meta.model };
  }
}

function parseEvent(event: SseEvent): WireStreamEvent | null {
  try {
    const data: unknown = JSON.parse(event.data);
    if (!data || typeof data !== 'object') return null;
    const record = data as { type?: unknown };
    // The JSON carries its own `type`; the SSE `event:` name is the fallback.
    if (typeof record.type !== 'string' && event.event) record.type = event.event;
    return typeof record.type === 'string' ? (data as WireStreamEvent) : null;
  } catch {
    return null;
  }
}
