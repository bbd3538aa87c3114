// The canonical shapes the non-OpenAI families build their answers from: stream chunks
// under the response's id/created/model, the final usage chunk, and the assistant
// message and chat.completion of a whole answer.
import type {
  AssistantMessage,
  ChatCompletion,
  ChatCompletionChunk,
  ChunkDelta,
  FinishReason,
  ResponseMeta,
  ThinkingBlock,
  ToolCall,
  Usage,
} from '../types.js';

export function chunkEnvelope(meta: ResponseMeta): Omit<ChatCompletionChunk, 'choices'> {
  return { id: meta.id, object: 'chat.completion.chunk', created: meta.created, model: meta.model };
}

/** One chunk with one choice (index 0). */
export function makeChunk(meta: ResponseMeta, delta: ChunkDelta, finishReason: FinishReason | null = null): ChatCompletionChunk {
  return { ...chunkEnvelope(meta), choices: [{ index: 0, delta, finish_reason: finishReason }] };
}

/** The `{choices: [], usage}` chunk that ends a stream. */
export function usageChunk(meta: ResponseMeta, usage: Usage): ChatCompletionChunk {
  return { ...chunkEnvelope(meta), choices: [], usage };
}

/** A stream's chunks: the first delta it builds carries `role: 'assistant'`. */
export class ChunkBuilder {
  readonly #meta: ResponseMeta;
  #roleSent = false;

  constructor(meta: ResponseMeta) {
    this.#meta = meta;
  }

  get roleSent(): boolean {
    return this.#roleSent;
  }

  delta(delta: ChunkDelta, finishReason: FinishReason | null = null): ChatCompletionChunk {
    const first = !this.#roleSent;
    this.#roleSent = true;
    return makeChunk(this.#meta, first ? { role: 'assistant', ...delta } : delta, finishReason);
  }

  usage(usage: Usage): ChatCompletionChunk {
    return usageChunk(this.#meta, usage);
  }
}

/** An assistant message; tool calls, reasoning and thinking blocks only when there are some. */
export function assistantMessage(
  content: string | null,
  extras: { toolCalls?: ToolCall[]; reasoning?: string; thinkingBlocks?: ThinkingBlock[] } = {},
): AssistantMessage {
  const message: AssistantMessage = { role: 'assistant', content };
  if (extras.toolCalls?.length) message.tool_calls = extras.toolCalls;
  if (extras.reasoning) message.reasoning_content = extras.reasoning;
  if (extras.thinkingBlocks?.length) message.thinking_blocks = extras.thinkingBlocks;
  return message;
}

/** A whole answer with one choice; `usage` only when there is one. */
export function makeCompletion(meta: ResponseMeta, message: AssistantMessage, finishReason: FinishReason | null, usage?: Usage | null): ChatCompletion {
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, message, finish_reason: finishReason }],
    ...(usage ? { usage } : {}),
  };
}
