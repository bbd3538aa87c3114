// Cohere v2 Chat wire types (only what the adapter reads or writes).
// https://docs.cohere.com/reference/chat  ·  https://docs.cohere.com/v2/docs/streaming

export type TextContent = { type: 'text'; text: string };
export type ThinkingContent = { type: 'thinking'; thinking: string };
export type ImageContent = { type: 'image_url'; image_url: { url: string; detail?: 'auto' | 'low' | 'high' } };

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type Message =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | Array<TextContent | ImageContent> }
  | { role: 'assistant'; content?: string | Array<TextContent | ThinkingContent>; tool_calls?: ToolCall[]; tool_plan?: string }
  | { role: 'tool'; tool_call_id: string; content: string };

export interface ChatRequest {
  model: string;
  messages: Message[];
  stream: boolean;
  tools?: Array<{ type: 'function'; function: { name: string; description?: string; parameters?: Record<string, unknown> } }>;
  tool_choice?: 'REQUIRED' | 'NONE';
  response_format?: { type: 'json_object'; json_schema?: Record<string, unknown> };
  max_tokens?: number;
  temperature?: number;
  p?: number;
  stop_sequences?: string[];
  seed?: number;
  thinking?: { type: 'enabled' | 'disabled'; token_budget?: number };
  [extra: string]: unknown;
}

export type FinishReason = 'COMPLETE' | 'STOP_SEQUENCE' | 'MAX_TOKENS' | 'TOOL_CALL' | 'ERROR' | 'TIMEOUT';

export interface Usage {
  billed_units?: { input_tokens?: number; output_tokens?: number };
  tokens?: { input_tokens?: number; output_tokens?: number };
  /** Prompt tokens served from Cohere's inference cache (part of input_tokens). */
  cached_tokens?: number;
}

export interface Citation {
  start?: number;
  end?: number;
  text?: string;
  sources?: unknown[];
  type?: string;
  [extra: string]: unknown;
}

export interface ChatResponse {
  id?: string;
  finish_reason?: FinishReason | string;
  message?: {
    role?: 'assistant';
    content?: Array<TextContent | ThinkingContent | { type: string }>;
    tool_plan?: string;
    tool_calls?: ToolCall[];
    citations?: Citation[];
  };
  usage?: Usage;
}

/** Stream events: each SSE `data:` is one of these, discriminated by `type`. */
export type StreamEvent =
  | { type: 'message-start'; id?: string }
  | { type: 'content-start'; index?: number; delta?: { message?: { content?: { type?: string } } } }
  | { type: 'content-delta'; index?: number; delta?: { message?: { content?: { text?: string; thinking?: string } } } }
  | { type: 'content-end'; index?: number }
  | { type: 'tool-plan-delta'; delta?: { message?: { tool_plan?: string } } }
  | { type: 'tool-call-start'; index?: number; delta?: { message?: { tool_calls?: Partial<ToolCall> & { function?: { name?: string; arguments?: string } } } } }
  | { type: 'tool-call-delta'; index?: number; delta?: { message?: { tool_calls?: { function?: { arguments?: string } } } } }
  | { type: 'tool-call-end'; index?: number }
  | { type: 'citation-start'; index?: number; delta?: { message?: { citations?: Citation } } }
  | { type: 'citation-end'; index?: number }
  | { type: 'message-end'; delta?: { finish_reason?: FinishReason | string; usage?: Usage; error?: string } }
  | { type: 'debug' };

export interface ModelList {
  models?: Array<{ name?: string; endpoints?: string[] }>;
  next_page_token?: string;
}
