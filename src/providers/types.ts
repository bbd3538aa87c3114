// The canonical (OpenAI Chat Completions) shapes the gateway speaks inbound and
// internally, and the contract every provider adapter implements. Adapters do no
// I/O: the gateway sends what they build and feeds them what comes back.
import type { Secret } from '../keys/secret.js';

// ---------------------------------------------------------------- request

export interface TextPart {
  type: 'text';
  text: string;
}
export interface ImagePart {
  type: 'image_url';
  image_url: { url: string; detail?: 'auto' | 'low' | 'high' };
}
export type ContentPart = TextPart | ImagePart;

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/**
 * Opaque reasoning blocks (Anthropic thinking signatures, Gemini thought signatures)
 * returned to the caller on the assistant message and accepted back on the next
 * turn, so a tool follow-up keeps the provider's reasoning chain valid.
 */
export interface ThinkingBlock {
  type: 'thinking' | 'redacted_thinking';
  thinking?: string;
  signature?: string;
  data?: string;
  /** The wire family that minted the block (set by the gateway); other families never receive it. */
  provider?: string;
}

export type ChatRole = 'system' | 'developer' | 'user' | 'assistant' | 'tool';

export interface ChatMessage {
  role: ChatRole;
  content?: string | ContentPart[] | null;
  name?: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
  reasoning_content?: string | null;
  thinking_blocks?: ThinkingBlock[];
}

export interface ChatTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean };
}

export type ToolChoice = 'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } };

export interface ResponseFormat {
  type: 'text' | 'json_object' | 'json_schema';
  json_schema?: { name: string; description?: string; schema?: Record<string, unknown>; strict?: boolean };
}

export type ReasoningEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high';

export interface ChatRequest {
  model?: string;
  messages: ChatMessage[];
  tools?: ChatTool[];
  tool_choice?: ToolChoice;
  parallel_tool_calls?: boolean;
  response_format?: ResponseFormat;
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  max_completion_tokens?: number;
  stop?: string | string[];
  seed?: number;
  user?: string;
  reasoning_effort?: ReasoningEffort;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
}

// ---------------------------------------------------------------- response

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number; cache_creation_tokens?: number };
  completion_tokens_details?: { reasoning_tokens?: number };
}

export interface AssistantMessage {
  role: 'assistant';
  content: string | null;
  tool_calls?: ToolCall[];
  reasoning_content?: string;
  thinking_blocks?: ThinkingBlock[];
  /** Provider extras preserved for the caller (Cohere tool_plan, citations). */
  [extra: string]: unknown;
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{ index: number; message: AssistantMessage; finish_reason: FinishReason | null }>;
  usage?: Usage;
}

export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function: { name?: string; arguments: string };
}

export interface ChunkDelta {
  role?: 'assistant';
  content?: string | null;
  reasoning_content?: string;
  tool_calls?: ToolCallDelta[];
  thinking_blocks?: ThinkingBlock[];
  [extra: string]: unknown;
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: Array<{ index: number; delta: ChunkDelta; finish_reason: FinishReason | null }>;
  usage?: Usage | null;
}

// ---------------------------------------------------------------- configuration

export type ProviderId =
  | 'openai'
  | 'anthropic'
  | 'google'
  | 'openrouter'
  | 'novita'
  | 'openai_compatible'
  | 'zai'
  | 'moonshot'
  | 'glm'
  | 'mistral'
  | 'deepseek'
  | 'qwen'
  | 'xai'
  | 'together'
  | 'fireworks'
  | 'groq'
  | 'cerebras'
  | 'perplexity'
  | 'huggingface'
  | 'litellm'
  | 'ollama'
  | 'vllm'
  | 'azure_openai'
  | 'bedrock'
  | 'cohere'
  | 'cloudflare_workers_ai'
  | 'hf_inference_endpoints';

/** A wire family: one adapter folder serves every provider of the family. */
export type WireFamily = 'openai' | 'anthropic' | 'gemini' | 'openrouter' | 'azure' | 'bedrock' | 'cohere';

export type ReasoningLevel = 'off' | 'low' | 'medium' | 'high' | 'custom';

export interface SlotSettings {
  temperature: number | null;
  maxOutputTokens: number | null;
  reasoning: { level: ReasoningLevel; custom: Record<string, unknown> | null };
  maxConcurrentRequests: number | null;
  openrouter: { order: string[]; allowFallbacks: boolean } | null;
}

/** Everything an adapter needs to build a call for one configured slot. */
export interface CallTarget {
  provider: ProviderId;
  model: string;
  /** Resolved base URL without a trailing slash. */
  baseUrl: string;
  plan: string | null;
  /** The main secret (API key, token). Null only for providers whose secrets all live in `secrets`. */
  apiKey: Secret | null;
  /** Further secret credential fields (Bedrock secretAccessKey, sessionToken). */
  secrets: Record<string, Secret>;
  /** Non-secret credential fields (region, deployment, apiVersion, accountId…). */
  params: Record<string, string>;
  settings: SlotSettings;
}

// ---------------------------------------------------------------- wire

export interface UpstreamRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

export type UpstreamHeaders = Record<string, string | string[] | undefined>;

export interface BuildOptions {
  stream: boolean;
  /** Injected clock, for request signing (SigV4) and nothing else. */
  now: Date;
}

export interface ResponseMeta {
  /** The id the gateway gives this completion (`chatcmpl-…`). */
  id: string;
  created: number;
  /** The configured model id, reported back to the caller. */
  model: string;
}

export interface StreamStep {
  chunks: ChatCompletionChunk[];
  /** A classified error the upstream sent inside the stream (Anthropic `error` event, OpenRouter error chunk). */
  error?: UpstreamError;
  /** The upstream's terminal event was seen. */
  done: boolean;
}

/**
 * Per-request incremental translator: bytes in as the upstream sends them, canonical
 * chunks out. It always emits a usage chunk (choices: []) at the end when the upstream
 * reported usage; the gateway forwards it only when the caller asked.
 */
export interface StreamTranslator {
  push(bytes: Uint8Array): StreamStep;
  /** The upstream body ended. Without a terminal event: `error.kind === 'truncated'`. */
  finish(): StreamStep;
  usage(): Usage | null;
}

export type ProbeStatus =
  | 'ok'
  | 'invalid_key'
  | 'forbidden'
  | 'endpoint_not_found'
  | 'model_not_found'
  | 'rate_limited'
  | 'network_error'
  | 'timeout'
  | 'provider_error';

export interface ProbeOutcome {
  status: ProbeStatus;
  message: string;
  httpStatus: number | null;
  models: string[] | null;
  modelFound: boolean | null;
}

export interface ProviderAdapter {
  family: WireFamily;
  buildChatRequest(request: ChatRequest, target: CallTarget, options: BuildOptions): UpstreamRequest;
  /** A 2xx body, parsed. Returns an UpstreamError for a 200 that carries an error. */
  parseChatResponse(body: unknown, target: CallTarget, meta: ResponseMeta): ChatCompletion | UpstreamError;
  /** A non-2xx answer. */
  classifyError(status: number, headers: UpstreamHeaders, bodyText: string): UpstreamError;
  createStreamTranslator(target: CallTarget, meta: ResponseMeta): StreamTranslator;
  /** The cheap metadata call (no inference) that proves a key. */
  buildProbeRequest(target: CallTarget, options: { now: Date }): UpstreamRequest;
  /** Any answer to the probe request (2xx or not). */
  parseProbeResponse(status: number, headers: UpstreamHeaders, bodyText: string, target: CallTarget): ProbeOutcome;
}

// ---------------------------------------------------------------- errors

export type UpstreamErrorKind =
  | 'auth'
  | 'rate_limited'
  | 'quota_exhausted'
  | 'server'
  | 'not_found'
  | 'bad_request'
  | 'timeout'
  | 'network'
  /** The stream ended before its terminal event. */
  | 'truncated'
  /** A 2xx body the adapter could not read (invalid JSON, invalid SSE). */
  | 'invalid_response';

export class UpstreamError extends Error {
  readonly kind: UpstreamErrorKind;
  readonly status: number | null;
  readonly retryAfterMs: number | null;
  /** The provider's own message, already scrubbed of anything key-like. */
  readonly providerMessage: string | null;
  readonly providerCode: string | null;

  constructor(init: {
    kind: UpstreamErrorKind;
    status?: number | null;
    retryAfterMs?: number | null;
    providerMessage?: string | null;
    providerCode?: string | null;
  }) {
    super(init.providerMessage ?? init.kind);
    this.name = 'UpstreamError';
    this.kind = init.kind;
    this.status = init.status ?? null;
    this.retryAfterMs = init.retryAfterMs ?? null;
    this.providerMessage = init.providerMessage ?? null;
    this.providerCode = init.providerCode ?? null;
  }
}
