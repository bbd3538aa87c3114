// Native (non-streamed) completion → canonical, normalised in place: the vendor's
// object is returned with our id/model and the vendor's spellings folded into OpenAI's
// (reasoning → reasoning_content, DeepSeek/Moonshot cache counters → cached_tokens),
// keeping every other field the vendor sent (Perplexity citations, OpenRouter cost).
import type { CallTarget, ChatCompletion, ResponseMeta, Usage } from '../types.js';
import { UpstreamError } from '../types.js';
import { classifyEmbeddedError } from './errors.js';
import { FAILED_FINISH_REASONS, mapFinishReason } from './finish-reason.js';
import type { WireCompletion, WireErrorBody, WireMessage, WireToolCall, WireUsage } from './wire.js';

export type EmbeddedClassifier = (error: WireErrorBody | string | null | undefined) => UpstreamError;

// Perplexity returns search provenance beside the choices; callers read it off the message.
const RESPONSE_EXTRAS_FOR_MESSAGE = ['citations', 'search_results'] as const;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** Usage in OpenAI meaning, in place; null when the vendor sent none. */
export function normaliseUsage(usage: WireUsage | null | undefined): Usage | null {
  if (!isRecord(usage)) return null;
  const prompt = count(usage.prompt_tokens);
  const completion = count(usage.completion_tokens);
  usage.prompt_tokens = prompt;
  usage.completion_tokens = completion;
  if (typeof usage.total_tokens !== 'number') usage.total_tokens = prompt + completion;
  if (usage.prompt_tokens_details === null) delete usage.prompt_tokens_details;
  if (usage.completion_tokens_details === null) delete usage.completion_tokens_details;
  if (typeof usage.prompt_tokens_details?.cached_tokens !== 'number') {
    // DeepSeek reports cache hits as prompt_cache_hit_tokens, Moonshot as cached_tokens; both are part of prompt_tokens.
    const cached = usage.prompt_cache_hit_tokens ?? usage.cached_tokens;
    if (typeof cached === 'number') usage.prompt_tokens_details = { ...usage.prompt_tokens_details, cached_tokens: cached };
  }
  return usage as Usage;
}

/** `reasoning` (vLLM, Groq, Cerebras, Ollama, OpenRouter) → `reasoning_content`; nulls the contract leaves out removed. */
export function foldReasoning(message: WireMessage): void {
  if (message.reasoning !== undefined) {
    if (typeof message.reasoning === 'string' && typeof message.reasoning_content !== 'string') message.reasoning_content = message.reasoning;
    delete message.reasoning;
  }
  if (message.reasoning_content === null) delete message.reasoning_content;
}

function normaliseToolCalls(calls: WireToolCall[], meta: ResponseMeta): void {
  for (let i = 0; i < calls.length; i++) {
    const call = calls[i];
    call.id ??= `call_${i}_${meta.id}`;
    call.type = 'function';
    const fn = (call.function ??= {});
    fn.name ??= '';
    // A tool called without arguments still gets a JSON object to parse.
    if (!fn.arguments) fn.arguments = '{}';
    delete call.index;
  }
}

function normaliseMessage(message: WireMessage, meta: ResponseMeta): boolean {
  message.role = 'assistant';
  if (message.content === undefined) message.content = null;
  foldReasoning(message);
  if (!Array.isArray(message.tool_calls) || message.tool_calls.length === 0) {
    delete message.tool_calls;
    return false;
  }
  normaliseToolCalls(message.tool_calls, meta);
  return true;
}

/** The error a failed finish carries (OpenRouter puts one on the choice), or one naming the finish reason. */
export function failedFinishError(error: unknown, finishReason: string): WireErrorBody | string {
  if (isRecord(error) || typeof error === 'string') return error as WireErrorBody | string;
  return { message: `The model stopped with finish_reason "${finishReason}"`, code: finishReason };
}

function invalid(what: string): UpstreamError {
  return new UpstreamError({ kind: 'invalid_response', providerMessage: `The provider answered 200 with ${what}` });
}

/** A 200 body → ChatCompletion, or the error it carries. `classify` reads embedded errors (OpenRouter: 403 is moderation). */
export function parseChatResponse(
  body: unknown,
  _target: CallTarget,
  meta: ResponseMeta,
  classify: EmbeddedClassifier = classifyEmbeddedError,
): ChatCompletion | UpstreamError {
  if (!isRecord(body)) return invalid('a body that is not a JSON object');
  const wire = body as WireCompletion;
  if (wire.error !== undefined && wire.error !== null) return classify(wire.error);
  if (wire.object === 'error') return classify(wire as WireErrorBody);
  if (!Array.isArray(wire.choices)) return invalid('no choices');
  for (let i = 0; i < wire.choices.length; i++) {
    const choice = wire.choices[i];
    const message = (choice.message ??= {});
    const sawToolCalls = normaliseMessage(message, meta);
    const raw = choice.finish_reason;
    if (raw && FAILED_FINISH_REASONS.has(raw)) return classify(failedFinishError(choice.error, raw));
    choice.finish_reason = mapFinishReason(raw, sawToolCalls);
    choice.index ??= i;
    for (const extra of RESPONSE_EXTRAS_FOR_MESSAGE) {
      if (wire[extra] !== undefined && message[extra] === undefined) message[extra] = wire[extra];
    }
  }
  wire.id = meta.id;
  wire.object = 'chat.completion';
  wire.created = meta.created;
  wire.model = meta.model;
  const usage = normaliseUsage(wire.usage ?? wire.x_groq?.usage);
  if (usage) wire.usage = usage as WireUsage;
  else delete wire.usage;
  return wire as unknown as ChatCompletion;
}
