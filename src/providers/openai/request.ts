// Canonical request → `POST {baseUrl}/chat/completions`. The canonical request is
// already OpenAI-shaped and validated: the body is one spread of it plus the few fields
// a vendor spells differently (platform.openai.com/docs/api-reference/chat/create).
import type { Secret } from '../../keys/secret.js';
import { deepMerge } from '../../reasoning/index.js';
import type { BuildOptions, CallTarget, ChatRequest, UpstreamRequest } from '../types.js';
import { adaptMessages, type ThinkingBlocksToWire } from './messages.js';
import { quirksFor, type CompiledQuirks } from './quirks.js';
import { planReasoning, type ReasoningPlan } from './reasoning.js';

/** Bearer auth; keyless local servers (Ollama, vLLM without --api-key) get no header. */
export function authHeaders(apiKey: Secret | null): Record<string, string> {
  return apiKey ? { authorization: `Bearer ${apiKey.reveal()}` } : {};
}

export interface BodyOptions {
  stream: boolean;
  rules: CompiledQuirks;
  /** Null: the caller (OpenRouter) maps reasoning itself. */
  reasoning: ReasoningPlan | null;
  blocksToWire?: ThinkingBlocksToWire;
}

/** Canonical fields buildChatBody writes itself (or leaves out); every other field is copied. */
const REWRITTEN_FIELDS = new Set([
  'model',
  'stream',
  'stream_options',
  'reasoning_effort',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'seed',
  'tool_choice',
  'messages',
]);

export function buildChatBody(request: ChatRequest, target: CallTarget, options: BodyOptions): Record<string, unknown> {
  const { rules, reasoning } = options;
  const { max_tokens: maxTokens, max_completion_tokens: maxCompletionTokens, temperature, top_p: topP, seed, tool_choice: toolChoice, messages } = request;
  // Everything not rewritten below (tools, response_format, stop, user, parallel_tool_calls
  // and any further canonical field) passes through as is. A null is the caller's "unset"
  // (the openai SDK sends some): vendors stricter than OpenAI reject it.
  const out: Record<string, unknown> = {};
  const fields = request as ChatRequest & Record<string, unknown>;
  for (const key in fields) {
    const value = fields[key];
    if (value !== null && value !== undefined && !REWRITTEN_FIELDS.has(key)) out[key] = value;
  }
  out.model = target.model;
  out.messages = adaptMessages(messages, rules, options.blocksToWire);
  if (options.stream) {
    out.stream = true;
    // Always ask for usage so the usage log is complete; the gateway forwards it only when asked.
    if (!rules.rejectsStreamOptions) out.stream_options = { include_usage: true };
  }
  const limit = maxCompletionTokens ?? maxTokens ?? target.settings.maxOutputTokens;
  if (limit !== null && limit !== undefined) out[rules.info.prefersMaxCompletionTokens ? 'max_completion_tokens' : 'max_tokens'] = limit;

  const fixedSampling = rules.fixedSamplingModels?.test(target.model) ?? false;
  const samplingRejected = fixedSampling || (rules.samplingRejectedWhileReasoning === true && reasoning?.effortSent === true);
  if (!samplingRejected) {
    const effectiveTemperature = temperature ?? target.settings.temperature;
    if (effectiveTemperature !== null && effectiveTemperature !== undefined) out.temperature = effectiveTemperature;
    if (topP !== undefined && topP !== null) out.top_p = topP;
  }
  if (seed !== undefined && seed !== null) out[rules.seedField ?? 'seed'] = seed;
  if (toolChoice !== undefined && toolChoice !== null) out.tool_choice = toolChoice === 'required' && rules.toolChoiceRequiredAs ? rules.toolChoiceRequiredAs : toolChoice;
  for (const field of rules.dropFields) if (field in out) delete out[field];

  if (reasoning?.fields) Object.assign(out, reasoning.fields);
  return reasoning?.custom ? deepMerge(out, reasoning.custom) : out;
}

export function buildChatRequest(request: ChatRequest, target: CallTarget, options: BuildOptions): UpstreamRequest {
  const rules = quirksFor(target.provider);
  const reasoning = planReasoning(request, target, rules, options.stream);
  const body = buildChatBody(request, target, { stream: options.stream, rules, reasoning });
  return {
    method: 'POST',
    url: `${target.baseUrl}/chat/completions`,
    headers: { 'content-type': 'application/json', ...authHeaders(target.apiKey) },
    body: JSON.stringify(body),
  };
}
