// ConverseStream (binary AWS event-stream) → canonical chunks.
// Events: messageStart, contentBlockStart, contentBlockDelta, contentBlockStop,
// messageStop, metadata (usage; it comes after messageStop). Exceptions arrive as
// frames with `:message-type: exception` inside the 200 response.
import { EventStreamDecoder, type EventStreamMessage } from '../shared/aws-event-stream.js';
import { ChunkBuilder } from '../shared/chunks.js';
import { UpstreamError, type ChatCompletionChunk, type FinishReason, type ResponseMeta, type StreamStep, type StreamTranslator, type Usage } from '../types.js';
import { classifyStreamException } from './errors.js';
import { mapStopReason } from './finish-reason.js';
import { toUsage } from './response.js';
import type { ContentBlockDeltaEvent, ContentBlockStartEvent, MessageStopEvent, MetadataEvent } from './wire.js';

interface ToolBlock {
  kind: 'tool';
  index: number;
  argumentsSent: boolean;
}
interface ReasoningBlock {
  kind: 'reasoning';
  text: string;
}
type BlockState = ToolBlock | ReasoningBlock | { kind: 'text' };

const utf8 = new TextDecoder();

export class BedrockStreamTranslator implements StreamTranslator {
  readonly #chunks: ChunkBuilder;
  readonly #decoder = new EventStreamDecoder();
  readonly #blocks = new Map<number, BlockState>();
  #toolCount = 0;
  #finishReason: FinishReason | null = null;
  #usage: Usage | null = null;
  #usageSent = false;
  #ended = false;

  constructor(meta: ResponseMeta) {
    this.#chunks = new ChunkBuilder(meta);
  }

  push(bytes: Uint8Array): StreamStep {
    if (this.#ended) return { chunks: [], done: true };
    const chunks: ChatCompletionChunk[] = [];
    const decoded = this.#decoder.push(bytes);
    for (const message of decoded.messages) {
      let error: UpstreamError | null;
      try {
        error = this.#handle(message, chunks);
      } catch (cause) {
        if (!(cause instanceof SyntaxError)) throw cause;
        error = new UpstreamError({ kind: 'invalid_response', providerMessage: `Bedrock sent an undecodable event: ${cause.message}` });
      }
      if (error) return this.#fail(chunks, error);
    }
    if (decoded.error) {
      return this.#fail(chunks, new UpstreamError({ kind: 'invalid_response', providerMessage: decoded.error.message }));
    }
    return { chunks, done: this.#isComplete() };
  }

  #fail(chunks: ChatCompletionChunk[], error: UpstreamError): StreamStep {
    this.#ended = true;
    return { chunks, error, done: true };
  }

  finish(): StreamStep {
    // messageStop is the terminal event; metadata (usage) after it is welcome but optional.
    if (this.#ended || this.#finishReason !== null) {
      this.#ended = true;
      return { chunks: [], done: true };
    }
    this.#ended = true;
    return { chunks: [], error: new UpstreamError({ kind: 'truncated' }), done: false };
  }

  usage(): Usage | null {
    return this.#usage;
  }

  #isComplete(): boolean {
    return this.#finishReason !== null && this.#usageSent;
  }

  #handle(message: EventStreamMessage, chunks: ChatCompletionChunk[]): UpstreamError | null {
    const type = message.headers[':message-type'];
    if (type === 'exception') {
      return classifyStreamException(String(message.headers[':exception-type'] ?? ''), utf8.decode(message.payload));
    }
    if (type === 'error') {
      const code = String(message.headers[':error-code'] ?? 'error');
      return classifyStreamException(code, JSON.stringify({ message: String(message.headers[':error-message'] ?? code) }));
    }
    if (type !== 'event') return null;
    // JSON.parse throws SyntaxError for an undecodable payload: push() turns it into invalid_response.
    const payload = JSON.parse(utf8.decode(message.payload)) as unknown;
    switch (message.headers[':event-type']) {
      case 'messageStart':
        if (!this.#chunks.roleSent) chunks.push(this.#chunks.delta({ content: '' }));
        return null;
      case 'contentBlockStart':
        this.#blockStart(payload as ContentBlockStartEvent, chunks);
        return null;
      case 'contentBlockDelta':
        this.#blockDelta(payload as ContentBlockDeltaEvent, chunks);
        return null;
      case 'contentBlockStop':
        this.#blockStop((payload as { contentBlockIndex: number }).contentBlockIndex, chunks);
        return null;
      case 'messageStop':
        return this.#messageStop(payload as MessageStopEvent, chunks);
      case 'metadata':
        if ((payload as MetadataEvent).usage) this.#usage = toUsage((payload as MetadataEvent).usage!);
        this.#flushUsage(chunks);
        return null;
      default:
        return null;
    }
  }

  #blockStart(event: ContentBlockStartEvent, chunks: ChatCompletionChunk[]): void {
    const toolUse = event.start?.toolUse;
    if (!toolUse) return;
    const block: ToolBlock = { kind: 'tool', index: this.#toolCount++, argumentsSent: false };
    this.#blocks.set(event.contentBlockIndex, block);
    chunks.push(
      this.#chunks.delta({
        tool_calls: [{ index: block.index, id: toolUse.toolUseId, type: 'function', function: { name: toolUse.name, arguments: '' } }],
      }),
    );
  }

  #blockDelta(event: ContentBlockDeltaEvent, chunks: ChatCompletionChunk[]): void {
    const { delta } = event;
    if (typeof delta.text === 'string' && delta.text) {
      chunks.push(this.#chunks.delta({ content: delta.text }));
    }
    if (delta.toolUse) {
      let block = this.#blocks.get(event.contentBlockIndex);
      if (block?.kind !== 'tool') {
        block = { kind: 'tool', index: this.#toolCount++, argumentsSent: false };
        this.#blocks.set(event.contentBlockIndex, block);
      }
      if (delta.toolUse.input) {
        block.argumentsSent = true;
        chunks.push(this.#chunks.delta({ tool_calls: [{ index: block.index, function: { arguments: delta.toolUse.input } }] }));
      }
    }
    const reasoning = delta.reasoningContent;
    if (reasoning) {
      let block = this.#blocks.get(event.contentBlockIndex);
      if (block?.kind !== 'reasoning') {
        block = { kind: 'reasoning', text: '' };
        this.#blocks.set(event.contentBlockIndex, block);
      }
      if (reasoning.text) {
        block.text += reasoning.text;
        chunks.push(this.#chunks.delta({ reasoning_content: reasoning.text }));
      }
      // The signature closes a thinking block: the caller gets the whole block back to replay it.
      if (reasoning.signature) {
        chunks.push(this.#chunks.delta({ thinking_blocks: [{ type: 'thinking', thinking: block.text, signature: reasoning.signature }] }));
      }
      if (reasoning.redactedContent) {
        chunks.push(this.#chunks.delta({ thinking_blocks: [{ type: 'redacted_thinking', data: reasoning.redactedContent }] }));
      }
    }
  }

  #blockStop(index: number, chunks: ChatCompletionChunk[]): void {
    const block = this.#blocks.get(index);
    // A tool called with no arguments still owes the caller a JSON object.
    if (block?.kind === 'tool' && !block.argumentsSent) {
      chunks.push(this.#chunks.delta({ tool_calls: [{ index: block.index, function: { arguments: '{}' } }] }));
    }
  }

  #messageStop(event: MessageStopEvent, chunks: ChatCompletionChunk[]): UpstreamError | null {
    const finish = mapStopReason(event.stopReason);
    if (finish instanceof UpstreamError) return finish;
    this.#finishReason = finish;
    chunks.push(this.#chunks.delta({}, finish));
    this.#flushUsage(chunks);
    return null;
  }

  #flushUsage(chunks: ChatCompletionChunk[]): void {
    if (this.#finishReason === null || this.#usage === null || this.#usageSent) return;
    this.#usageSent = true;
    chunks.push(this.#chunks.usage(this.#usage));
  }
}
