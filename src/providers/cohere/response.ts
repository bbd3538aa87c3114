// Cohere v2 chat response → canonical ChatCompletion. tool_plan and citations have no
// OpenAI field and are kept as extra fields of the assistant message.
import { assistantMessage, makeCompletion } from '../shared/chunks.js';
import { UpstreamError, type CallTarget, type ChatCompletion, type ResponseMeta, type ToolCall, type Usage } from '../types.js';
import { mapFinishReason } from './finish-reason.js';
import type { ChatResponse, Usage as CohereUsage } from './wire.js';

/** `tokens` are what the model read and wrote; `billed_units` only stand in when tokens are missing. */
export function toUsage(usage: CohereUsage | undefined): Usage | null {
  const counts = usage?.tokens ?? usage?.billed_units;
  if (!counts) return null;
  const prompt = counts.input_tokens ?? 0;
  const completion = counts.output_tokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    ...(usage?.cached_tokens ? { prompt_tokens_details: { cached_tokens: usage.cached_tokens } } : {}),
  };
}

/** Cohere sends `null` (or nothing) as the arguments of a tool without parameters. */
export function toolArguments(raw: string | undefined | null): string {
  return !raw || raw.trim() === 'null' ? '{}' : raw;
}

export function parseChatResponse(body: unknown, _target: CallTarget, meta: ResponseMeta): ChatCompletion | UpstreamError {
  const response = body as ChatResponse | null;
  if (!response || typeof response !== 'object' || !response.message || typeof response.message !== 'object') {
    return new UpstreamError({ kind: 'invalid_response', providerMessage: 'Cohere answered without a message' });
  }
  const { message: native } = response;
  const items = Array.isArray(native.content) ? native.content : [];
  const text = items.map((item) => (item.type === 'text' ? (item as { text: string }).text : '')).join('');
  const reasoning = items.map((item) => (item.type === 'thinking' ? (item as { thinking: string }).thinking : '')).join('');
  const toolCalls: ToolCall[] = (native.tool_calls ?? []).map((call) => ({
    id: call.id,
    type: 'function',
    function: { name: call.function.name, arguments: toolArguments(call.function.arguments) },
  }));

  const finish = mapFinishReason(response.finish_reason, toolCalls.length > 0);
  if (finish instanceof UpstreamError) return finish;

  const message = assistantMessage(text || (toolCalls.length ? null : ''), { toolCalls, reasoning });
  if (native.tool_plan) message.tool_plan = native.tool_plan;
  if (native.citations?.length) message.citations = native.citations;
  return makeCompletion(meta, message, finish, toUsage(response.usage));
}
