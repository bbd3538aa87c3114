// Canonical request → OpenRouter `POST {baseUrl}/chat/completions`: the OpenAI body
// (../openai/request.ts) plus OpenRouter's reasoning block, provider routing and the
// attribution headers (openrouter.ai/docs/app-attribution).
import { deepMerge, resolveReasoning, toSnakeCaseKeys } from '../../reasoning/index.js';
import { authHeaders, buildChatBody } from '../openai/request.js';
import { quirksFor } from '../openai/quirks.js';
import type { BuildOptions, CallTarget, ChatRequest, UpstreamRequest } from '../types.js';
import { thinkingBlocksToReasoningDetails } from './reasoning-details.js';

/** The gateway's identity in OpenRouter's app rankings. */
export const OPENROUTER_REFERER = 'https://github.com/byok-gateway';
export const OPENROUTER_TITLE = 'BYOK Gateway';

/** Attribution and auth. `X-OpenRouter-Title` is the current name, `X-Title` the one older deployments read. */
export function openRouterHeaders(target: CallTarget): Record<string, string> {
  return {
    ...authHeaders(target.apiKey),
    'HTTP-Referer': OPENROUTER_REFERER,
    'X-Title': OPENROUTER_TITLE,
    'X-OpenRouter-Title': OPENROUTER_TITLE,
  };
}

export function buildOpenRouterBody(request: ChatRequest, target: CallTarget, stream: boolean): Record<string, unknown> {
  const rules = quirksFor(target.provider);
  const body = buildChatBody(request, target, { stream, rules, reasoning: null, blocksToWire: thinkingBlocksToReasoningDetails });
  const { preset, custom } = resolveReasoning(target.settings.reasoning, rules.info.namespace, request.reasoning_effort);
  // openrouter.ai/docs/use-cases/reasoning-tokens: `effort` sets the level; `enabled: false` turns reasoning off.
  if (preset !== null) body.reasoning = preset === 'off' ? { enabled: false } : { effort: preset };
  const routing = target.settings.openrouter;
  if (routing) body.provider = { order: routing.order, allow_fallbacks: routing.allowFallbacks };
  // A custom override replaces the preset (none was set) and deep-merges into `provider`.
  return custom ? deepMerge(body, toSnakeCaseKeys(custom) as Record<string, unknown>) : body;
}

export function buildChatRequest(request: ChatRequest, target: CallTarget, options: BuildOptions): UpstreamRequest {
  return {
    method: 'POST',
    url: `${target.baseUrl}/chat/completions`,
    headers: { 'content-type': 'application/json', ...openRouterHeaders(target) },
    body: JSON.stringify(buildOpenRouterBody(request, target, options.stream)),
  };
}
