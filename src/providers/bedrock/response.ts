// Converse response → canonical ChatCompletion.
import { assistantMessage, makeCompletion } from '../shared/chunks.js';
import { UpstreamError, type CallTarget, type ChatCompletion, type ResponseMeta, type ThinkingBlock, type ToolCall, type Usage } from '../types.js';
import { mapStopReason } from './finish-reason.js';
import type { ConverseResponse, TokenUsage } from './wire.js';

/** Bedrock's inputTokens exclude cache reads and writes; OpenAI's prompt_tokens include them. */
export function toUsage(usage: TokenUsage): Usage {
  const cacheRead = usage.cacheReadInputTokens ?? 0;
  const cacheWrite = usage.cacheWriteInputTokens ?? 0;
  const prompt = (usage.inputTokens ?? 0) + cacheRead + cacheWrite;
  const completion = usage.outputTokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    ...(cacheRead || cacheWrite
      ? { prompt_tokens_details: { cached_tokens: cacheRead, ...(cacheWrite ? { cache_creation_tokens: cacheWrite } : {}) } }
      : {}),
  };
}

export function parseChatResponse(body: unknown, _target: CallTarget, meta: ResponseMeta): ChatCompletion | UpstreamError {
  const response = body as ConverseResponse | null;
  const content = response?.output?.message?.content;
  if (!response || typeof response !== 'object' || !Array.isArray(content)) {
    return new UpstreamError({ kind: 'invalid_response', providerMessage: 'Bedrock answered without output.message.content' });
  }
  const finish = mapStopReason(response.stopReason);
  if (finish instanceof UpstreamError) return finish;

  let text = '';
  let reasoning = '';
  const thinkingBlocks: ThinkingBlock[] = [];
  const toolCalls: ToolCall[] = [];
  for (const block of content) {
    if (typeof block.text === 'string') text += block.text;
    const reasoningText = block.reasoningContent?.reasoningText;
    if (reasoningText) {
      reasoning += reasoningText.text;
      thinkingBlocks.push({ type: 'thinking', thinking: reasoningText.text, ...(reasoningText.signature ? { signature: reasoningText.signature } : {}) });
    }
    if (block.reasoningContent?.redactedContent) thinkingBlocks.push({ type: 'redacted_thinking', data: block.reasoningContent.redactedContent });
    if (block.toolUse) {
      toolCalls.push({
        id: block.toolUse.toolUseId,
        type: 'function',
        function: { name: block.toolUse.name, arguments: JSON.stringify(block.toolUse.input ?? {}) },
      });
    }
  }

  const message = assistantMessage(text || (toolCalls.length ? null : ''), { toolCalls, reasoning, thinkingBlocks });
  return makeCompletion(meta, message, finish, response.usage ? toUsage(response.usage) : null);
}
