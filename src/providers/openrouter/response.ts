// OpenRouter completion → canonical: the OpenAI normalisation plus `reasoning_details`
// → `thinking_blocks` (usage, including `cost`, is kept as sent).
import { isRecord, parseChatResponse as parseOpenAiResponse } from '../openai/response.js';
import type { CallTarget, ChatCompletion, ResponseMeta } from '../types.js';
import { UpstreamError } from '../types.js';
import { classifyOpenRouterEmbedded } from './errors.js';
import { toThinkingBlock } from './reasoning-details.js';
import type { WireReasoningDetail } from './wire.js';

export function parseChatResponse(body: unknown, target: CallTarget, meta: ResponseMeta): ChatCompletion | UpstreamError {
  const completion = parseOpenAiResponse(body, target, meta, classifyOpenRouterEmbedded);
  if (completion instanceof UpstreamError) return completion;
  for (const choice of completion.choices) {
    const message = choice.message;
    const details = message.reasoning_details;
    if (details === undefined) continue;
    delete message.reasoning_details;
    if (Array.isArray(details) && details.length > 0) {
      message.thinking_blocks = details.filter(isRecord).map((detail) => toThinkingBlock(detail as WireReasoningDetail));
    }
  }
  return completion;
}
