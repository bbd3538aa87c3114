// GenerateContentResponse (ai.google.dev/api/generate-content#generatecontentresponse)
// → ChatCompletion. The part translation here is shared with the stream translator.
import { isPlainObject } from '../../reasoning/index.js';
import { assistantMessage, makeCompletion } from '../shared/chunks.js';
import {
  UpstreamError,
  type CallTarget,
  type ChatCompletion,
  type ResponseMeta,
  type ThinkingBlock,
  type ToolCall,
  type Usage,
} from '../types.js';
import { errorFromStatus } from './errors.js';
import { failedFinish, mapFinishReason } from './finish-reason.js';
import type { GeminiErrorBody, GeminiPart, GeminiResponse, GeminiUsageMetadata } from './wire.js';

/** What one batch of parts contributes to the assistant message. */
export interface PartsDelta {
  text: string;
  reasoning: string;
  toolCalls: Array<{ name: string; arguments: string }>;
  thinkingBlocks: ThinkingBlock[];
}

/** Gemini sends no call ids (or ids we cannot rely on): ours are derived from the completion id, stable per call. */
export function toolCallId(meta: ResponseMeta, index: number): string {
  return `call_${meta.id.replace(/^chatcmpl-/, '')}_${index}`;
}

export function translateParts(parts: GeminiPart[] | undefined): PartsDelta {
  const delta: PartsDelta = { text: '', reasoning: '', toolCalls: [], thinkingBlocks: [] };
  for (const part of parts ?? []) {
    if (part.functionCall) {
      const args = isPlainObject(part.functionCall.args) ? part.functionCall.args : {};
      delta.toolCalls.push({ name: part.functionCall.name, arguments: JSON.stringify(args) });
    } else if (typeof part.text === 'string') {
      if (part.thought) delta.reasoning += part.text;
      else delta.text += part.text;
    }
    // Signatures often ride on an empty text part; their only job is to come back next turn.
    if (typeof part.thoughtSignature === 'string' && part.thoughtSignature) {
      delta.thinkingBlocks.push({ type: 'thinking', signature: part.thoughtSignature });
    }
  }
  return delta;
}

/** OpenAI meaning: prompt includes cached and tool-use prompt tokens, completion includes thoughts. */
export function toUsage(metadata: GeminiUsageMetadata | undefined): Usage | null {
  if (!metadata) return null;
  const prompt = (metadata.promptTokenCount ?? 0) + (metadata.toolUsePromptTokenCount ?? 0);
  const reasoning = metadata.thoughtsTokenCount ?? 0;
  const completion = (metadata.candidatesTokenCount ?? 0) + reasoning;
  const usage: Usage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: metadata.totalTokenCount ?? prompt + completion,
  };
  if (metadata.cachedContentTokenCount) usage.prompt_tokens_details = { cached_tokens: metadata.cachedContentTokenCount };
  if (reasoning) usage.completion_tokens_details = { reasoning_tokens: reasoning };
  return usage;
}

/** A 200 body that is an error (`{error:{…}}`), not a response. */
export function embeddedError(body: unknown): UpstreamError | null {
  if (!isPlainObject(body) || !isPlainObject(body.error)) return null;
  const error = body.error as NonNullable<GeminiErrorBody['error']>;
  return errorFromStatus(error, typeof error.code === 'number' ? error.code : 500, null);
}

export function parseChatResponse(body: unknown, _target: CallTarget, meta: ResponseMeta): ChatCompletion | UpstreamError {
  const embedded = embeddedError(body);
  if (embedded) return embedded;
  if (!isPlainObject(body)) return new UpstreamError({ kind: 'invalid_response', providerMessage: 'Gemini returned a body that is not a JSON object' });
  const response = body as GeminiResponse;
  const candidate = response.candidates?.[0];
  const delta = translateParts(candidate?.content?.parts);
  const toolCalls: ToolCall[] = delta.toolCalls.map((call, index) => ({
    id: toolCallId(meta, index),
    type: 'function',
    function: call,
  }));

  // A blocked prompt has no candidate at all, only promptFeedback.blockReason.
  const blocked = !candidate && Boolean(response.promptFeedback?.blockReason);
  if (failedFinish(candidate?.finishReason, Boolean(delta.text || toolCalls.length))) {
    return new UpstreamError({
      kind: 'server',
      status: 200,
      providerMessage: `Gemini ended without an answer (${candidate?.finishReason}${candidate?.finishMessage ? `: ${candidate.finishMessage}` : ''})`,
      providerCode: candidate?.finishReason ?? null,
    });
  }

  const message = assistantMessage(delta.text || null, { toolCalls, reasoning: delta.reasoning, thinkingBlocks: delta.thinkingBlocks });
  const finish = blocked ? 'content_filter' : mapFinishReason(candidate?.finishReason, toolCalls.length > 0);
  return makeCompletion(meta, message, finish, toUsage(response.usageMetadata));
}
