// Bedrock Converse / ConverseStream wire types (only what the adapter reads or writes).
// https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html
// https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp';

export interface ReasoningContentBlock {
  reasoningText?: { text: string; signature?: string };
  /** Base64 of the encrypted (redacted) reasoning. */
  redactedContent?: string;
}

export type ToolResultContent = { text: string } | { json: unknown };

export interface ContentBlock {
  text?: string;
  image?: { format: ImageFormat; source: { bytes: string } };
  toolUse?: { toolUseId: string; name: string; input: unknown };
  toolResult?: { toolUseId: string; content: ToolResultContent[]; status?: 'success' | 'error' };
  reasoningContent?: ReasoningContentBlock;
}

export interface Message {
  role: 'user' | 'assistant';
  content: ContentBlock[];
}

export interface ToolSpec {
  toolSpec: { name: string; description?: string; inputSchema: { json: Record<string, unknown> } };
}

export type ToolChoice = { auto: Record<string, never> } | { any: Record<string, never> } | { tool: { name: string } };

export interface InferenceConfig {
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stopSequences?: string[];
}

/** Native structured output (Converse `outputConfig.textFormat`); the schema travels as a JSON string. */
export interface OutputConfig {
  textFormat: {
    type: 'json_schema';
    structure: { jsonSchema: { schema: string; name?: string; description?: string } };
  };
}

export interface ConverseRequest {
  messages: Message[];
  system?: Array<{ text: string }>;
  inferenceConfig?: InferenceConfig;
  toolConfig?: { tools: ToolSpec[]; toolChoice?: ToolChoice };
  outputConfig?: OutputConfig;
  additionalModelRequestFields?: Record<string, unknown>;
  [extra: string]: unknown;
}

export type StopReason =
  | 'end_turn'
  | 'tool_use'
  | 'max_tokens'
  | 'stop_sequence'
  | 'guardrail_intervened'
  | 'content_filtered'
  | 'malformed_model_output'
  | 'malformed_tool_use'
  | 'model_context_window_exceeded';

export interface TokenUsage {
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

export interface ConverseResponse {
  output?: { message?: { role: 'assistant'; content?: ContentBlock[] } };
  stopReason?: StopReason | string;
  usage?: TokenUsage;
  metrics?: { latencyMs?: number };
}

// ---------------------------------------------------------------- stream events (payloads)

export interface ContentBlockStartEvent {
  contentBlockIndex: number;
  start?: { toolUse?: { toolUseId: string; name: string } };
}

export interface ContentBlockDeltaEvent {
  contentBlockIndex: number;
  delta: {
    text?: string;
    toolUse?: { input: string };
    reasoningContent?: { text?: string; signature?: string; redactedContent?: string };
  };
}

export interface MessageStopEvent {
  stopReason: StopReason | string;
}

export interface MetadataEvent {
  usage?: TokenUsage;
  metrics?: { latencyMs?: number };
}

// ---------------------------------------------------------------- control plane

export interface ListFoundationModelsResponse {
  modelSummaries?: Array<{ modelId?: string; modelArn?: string; providerName?: string }>;
}

/** Error bodies: `{message}` (some services capitalise it), type in `x-amzn-ErrorType` or `__type`. */
export interface ErrorBody {
  message?: string;
  Message?: string;
  __type?: string;
}
