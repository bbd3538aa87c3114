// OpenRouter's additions to the OpenAI wire (openrouter.ai/docs/api-reference).
// The chat shapes themselves are ../openai/wire.ts.

/** One entry of `reasoning_details` (openrouter.ai/docs/use-cases/reasoning-tokens). */
export interface WireReasoningDetail {
  type?: 'reasoning.text' | 'reasoning.summary' | 'reasoning.encrypted' | string;
  text?: string | null;
  summary?: string | null;
  /** reasoning.encrypted: the opaque blob. */
  data?: string | null;
  signature?: string | null;
  format?: string | null;
  id?: string | null;
  index?: number;
  [extra: string]: unknown;
}

/** `GET /api/v1/key` (openrouter.ai/docs/api/api-reference/api-keys/get-current-key). */
export interface WireKeyInfo {
  data?: {
    label?: string;
    limit?: number | null;
    limit_remaining?: number | null;
    usage?: number;
    is_free_tier?: boolean;
    [extra: string]: unknown;
  };
}
