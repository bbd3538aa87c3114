// The OpenAI Chat Completions wire as the vendors of this family send it: the OpenAI
// shapes plus the vendor fields we read (reasoning, DeepSeek cache counters, Groq's
// x_groq, Perplexity citations, OpenRouter reasoning_details). Never imported
// outside src/providers/openai and src/providers/openrouter.

export interface WireErrorBody {
  /** OpenAI: string; OpenRouter: the HTTP-like number; Z.ai: "1113". */
  code?: string | number | null;
  message?: unknown;
  type?: string | null;
  param?: string | null;
  metadata?: Record<string, unknown>;
}

export interface WireUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number; [extra: string]: unknown } | null;
  completion_tokens_details?: { reasoning_tokens?: number; [extra: string]: unknown } | null;
  /** DeepSeek context caching. */
  prompt_cache_hit_tokens?: number;
  prompt_cache_miss_tokens?: number;
  /** Moonshot reports cached input tokens at the top level. */
  cached_tokens?: number;
  [extra: string]: unknown;
}

export interface WireToolCall {
  index?: number;
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string | null };
}

/** A message (non-streaming) or a delta (streaming): the same fields, partially present. */
export interface WireMessage {
  role?: string;
  content?: string | null;
  reasoning_content?: string | null;
  /** vLLM ≥0.11, Groq, Cerebras, Ollama, OpenRouter. */
  reasoning?: string | null;
  tool_calls?: WireToolCall[] | null;
  /** OpenRouter. */
  reasoning_details?: Array<Record<string, unknown>> | null;
  [extra: string]: unknown;
}

export interface WireChoice {
  index?: number;
  message?: WireMessage;
  delta?: WireMessage;
  finish_reason?: string | null;
  /** OpenRouter: the model's own finish reason. */
  native_finish_reason?: string | null;
  [extra: string]: unknown;
}

export interface WireCompletion {
  id?: string;
  object?: string;
  created?: number;
  model?: string;
  choices?: WireChoice[];
  usage?: WireUsage | null;
  /** Groq puts stream usage here. */
  x_groq?: { usage?: WireUsage; [extra: string]: unknown };
  /** Errors inside a 200 body or stream chunk (OpenAI, OpenRouter, Z.ai). */
  error?: WireErrorBody | string;
  /** vLLM's error shape: `{object: "error", message, type, code}`. */
  message?: unknown;
  code?: unknown;
  /** Perplexity. */
  citations?: unknown;
  search_results?: unknown;
  [extra: string]: unknown;
}
