// The Anthropic Messages API's own shapes (docs.claude.com/en/api/messages,
// /en/docs/build-with-claude/streaming). Only what this adapter reads or writes;
// never imported outside this folder.

export interface WireTextBlock {
  type: 'text';
  text: string;
}

export type WireImageSource =
  | { type: 'base64'; media_type: string; data: string }
  | { type: 'url'; url: string };

export interface WireImageBlock {
  type: 'image';
  source: WireImageSource;
}

export interface WireThinkingBlock {
  type: 'thinking';
  thinking: string;
  signature: string;
}

export interface WireRedactedThinkingBlock {
  type: 'redacted_thinking';
  data: string;
}

export interface WireToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: unknown;
}

export interface WireToolResultBlock {
  type: 'tool_result';
  tool_use_id: string;
  content?: string | WireTextBlock[];
}

export type WireContentBlock =
  | WireTextBlock
  | WireImageBlock
  | WireThinkingBlock
  | WireRedactedThinkingBlock
  | WireToolUseBlock
  | WireToolResultBlock;

export interface WireMessage {
  role: 'user' | 'assistant';
  content: WireContentBlock[];
}

export interface WireTool {
  name: string;
  description?: string;
  input_schema: Record<string, unknown>;
  strict?: boolean;
}

export type WireToolChoice =
  | { type: 'auto'; disable_parallel_tool_use?: boolean }
  | { type: 'any'; disable_parallel_tool_use?: boolean }
  | { type: 'tool'; name: string; disable_parallel_tool_use?: boolean }
  | { type: 'none' };

export interface WireThinkingConfig {
  type: 'adaptive' | 'enabled' | 'disabled';
  budget_tokens?: number;
  display?: 'summarized' | 'omitted';
}

export interface WireOutputConfig {
  effort?: string;
  format?: { type: 'json_schema'; schema: Record<string, unknown> };
}

export interface WireRequestBody {
  model: string;
  max_tokens: number;
  messages: WireMessage[];
  system?: WireTextBlock[];
  tools?: WireTool[];
  tool_choice?: WireToolChoice;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  stop_sequences?: string[];
  metadata?: { user_id: string };
  thinking?: WireThinkingConfig;
  output_config?: WireOutputConfig;
  stream?: boolean;
  [custom: string]: unknown;
}

export interface WireUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  /** Reported by newer models; not in every documented example. */
  output_tokens_details?: { thinking_tokens?: number | null } | null;
}

export type WireStopReason =
  | 'end_turn'
  | 'max_tokens'
  | 'stop_sequence'
  | 'tool_use'
  | 'pause_turn'
  | 'refusal'
  | 'model_context_window_exceeded';

export interface WireMessageResponse {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: Array<WireContentBlock | { type: string; [field: string]: unknown }>;
  stop_reason: WireStopReason | string | null;
  stop_sequence?: string | null;
  usage: WireUsage;
}

export interface WireErrorBody {
  type: 'error';
  error: { type: string; message: string };
  request_id?: string;
}

export type WireStreamEvent =
  | { type: 'message_start'; message: Omit<WireMessageResponse, 'content'> & { content?: unknown[] } }
  | { type: 'content_block_start'; index: number; content_block: { type: string; [field: string]: unknown } }
  | { type: 'content_block_delta'; index: number; delta: WireDelta }
  | { type: 'content_block_stop'; index: number }
  | { type: 'message_delta'; delta: { stop_reason?: string | null; stop_sequence?: string | null }; usage?: WireUsage }
  | { type: 'message_stop' }
  | { type: 'ping' }
  | { type: 'error'; error: { type: string; message: string } };

export type WireDelta =
  | { type: 'text_delta'; text: string }
  | { type: 'thinking_delta'; thinking: string }
  | { type: 'signature_delta'; signature: string }
  | { type: 'input_json_delta'; partial_json: string }
  | { type: string; [field: string]: unknown };

export interface WireModelList {
  data: Array<{ id: string; display_name?: string; created_at?: string; type?: string }>;
  has_more?: boolean;
  first_id?: string | null;
  last_id?: string | null;
}
