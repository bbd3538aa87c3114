// Cohere v2 SSE (typed events, `type` in every payload) → canonical chunks.
// https://docs.cohere.com/v2/docs/streaming
// Terminal event: message-end (finish_reason + usage). tool-plan-delta and
// citation-start go out as extra delta fields (`tool_plan`, `citations`).
import { ChunkBuilder } from '../shared/chunks.js';
import { SseDecoder } from '../shared/sse.js';
import { UpstreamError, type ChatCompletionChunk, type ResponseMeta, type StreamStep, type StreamTranslator, type Usage } from '../types.js';
import { mapFinishReason } from './finish-reason.js';
import { toolArguments, toUsage } from './response.js';
import type { StreamEvent } from './wire.js';

interface ToolState {
  index: number;
  argumentsSent: boolean;
}

export class CohereStreamTranslator implements StreamTranslator {
  readonly #chunks: ChunkBuilder;
  readonly #decoder = new SseDecoder();
  #toolCount = 0;
  #tool: ToolState | null = null;
  #usage: Usage | null = null;
  #ended = false;

  constructor(meta: ResponseMeta) {
    this.#chunks = new ChunkBuilder(meta);
  }

  push(bytes: Uint8Array): StreamStep {
    return this.#translate(this.#decoder.push(bytes));
  }

  finish(): StreamStep {
    const step = this.#translate(this.#decoder.end());
    if (step.error || step.done) return step;
    this.#ended = true;
    return { ...step, error: new UpstreamError({ kind: 'truncated', providerMessage: 'The Cohere stream ended before message-end' }) };
  }

  usage(): Usage | null {
    return this.#usage;
  }

  #translate(events: Array<{ event: string | undefined; data: string }>): StreamStep {
    const chunks: ChatCompletionChunk[] = [];
    if (this.#ended) return { chunks, done: true };
    for (const { event, data } of events) {
      let parsed: StreamEvent;
      try {
        parsed = JSON.parse(data) as StreamEvent;
      } catch {
        this.#ended = true;
        return { chunks, error: new UpstreamError({ kind: 'invalid_response', providerMessage: `Cohere sent an undecodable event: ${data.slice(0, 200)}` }), done: true };
      }
      const type = (parsed as { type?: string }).type ?? event;
      const error = this.#handle({ ...parsed, type } as StreamEvent, chunks);
      if (error) {
        this.#ended = true;
        return { chunks, error, done: true };
      }
      if (this.#ended) return { chunks, done: true };
    }
    return { chunks, done: false };
  }

  #handle(event: StreamEvent, chunks: ChatCompletionChunk[]): UpstreamError | null {
    switch (event.type) {
      case 'message-start':
        if (!this.#chunks.roleSent) chunks.push(this.#chunks.delta({ content: '' }));
        return null;
      case 'content-delta': {
        const content = event.delta?.message?.content;
        if (content?.text) chunks.push(this.#chunks.delta({ content: content.text }));
        if (content?.thinking) chunks.push(this.#chunks.delta({ reasoning_content: content.thinking }));
        return null;
      }
      case 'tool-plan-delta': {
        const plan = event.delta?.message?.tool_plan;
        if (plan) chunks.push(this.#chunks.delta({ tool_plan: plan }));
        return null;
      }
      case 'tool-call-start': {
        const call = event.delta?.message?.tool_calls;
        const initial = call?.function?.arguments ?? '';
        this.#tool = { index: this.#toolCount++, argumentsSent: initial.length > 0 };
        chunks.push(
          this.#chunks.delta({
            tool_calls: [{ index: this.#tool.index, id: call?.id ?? '', type: 'function', function: { name: call?.function?.name ?? '', arguments: initial } }],
          }),
        );
        return null;
      }
      case 'tool-call-delta': {
        const fragment = event.delta?.message?.tool_calls?.function?.arguments;
        if (this.#tool && fragment) {
          this.#tool.argumentsSent = true;
          chunks.push(this.#chunks.delta({ tool_calls: [{ index: this.#tool.index, function: { arguments: fragment } }] }));
        }
        return null;
      }
      case 'tool-call-end':
        // A tool called with no arguments still owes the caller a JSON object.
        if (this.#tool && !this.#tool.argumentsSent) {
          chunks.push(this.#chunks.delta({ tool_calls: [{ index: this.#tool.index, function: { arguments: toolArguments('') } }] }));
        }
        this.#tool = null;
        return null;
      case 'citation-start': {
        const citation = event.delta?.message?.citations;
        if (citation) chunks.push(this.#chunks.delta({ citations: [citation] }));
        return null;
      }
      case 'message-end':
        return this.#messageEnd(event, chunks);
      default:
        // content-start/-end, citation-end, debug: nothing to forward.
        return null;
    }
  }

  #messageEnd(event: Extract<StreamEvent, { type: 'message-end' }>, chunks: ChatCompletionChunk[]): UpstreamError | null {
    this.#usage = toUsage(event.delta?.usage);
    const finish = mapFinishReason(event.delta?.finish_reason, this.#toolCount > 0);
    if (finish instanceof UpstreamError) {
      const detail = event.delta?.error;
      return detail ? new UpstreamError({ kind: finish.kind, providerCode: finish.providerCode, providerMessage: detail }) : finish;
    }
    chunks.push(this.#chunks.delta({}, finish));
    if (this.#usage) chunks.push(this.#chunks.usage(this.#usage));
    this.#ended = true;
    return null;
  }
}
