// Canonical request → Azure OpenAI. The body is OpenAI's, built by the OpenAI adapter;
// Azure changes the URL, the auth header (`api-key`), and on older dated api-versions
// the fields they do not know.
import { customOverrideFor } from '../../reasoning/index.js';
import { openaiAdapter } from '../openai/index.js';
import type { BuildOptions, CallTarget, ChatRequest, SlotSettings, UpstreamRequest } from '../types.js';
import { authHeaders, chatUrl, predatesReasoningApi } from './endpoint.js';

/**
 * The OpenAI adapter reads the override under its own namespace (`openai`); the slot's
 * override for Azure lives under `azure` (or un-namespaced), so it is re-keyed.
 */
function asOpenAiReasoning(settings: SlotSettings['reasoning']): SlotSettings['reasoning'] {
  if (settings.level !== 'custom') return settings;
  return { level: 'custom', custom: { openai: customOverrideFor(settings.custom, 'azure') ?? {} } };
}

type WireBody = Record<string, unknown> & { messages?: Array<Record<string, unknown>> };

function downgradeForDatedApi(body: WireBody): WireBody {
  delete body.reasoning_effort;
  for (const message of body.messages ?? []) if (message.role === 'developer') message.role = 'system';
  return body;
}

export function buildChatRequest(request: ChatRequest, target: CallTarget, options: BuildOptions): UpstreamRequest {
  // Azure serves OpenAI's models, so OpenAI's registry rules (max_completion_tokens,
  // which model names take reasoning_effort) apply; model is the deployment name.
  const asOpenAi: CallTarget = {
    ...target,
    provider: 'openai',
    baseUrl: '',
    settings: { ...target.settings, reasoning: asOpenAiReasoning(target.settings.reasoning) },
  };
  const built = openaiAdapter.buildChatRequest(request, asOpenAi, options);
  const body = predatesReasoningApi(target) ? JSON.stringify(downgradeForDatedApi(JSON.parse(built.body as string) as WireBody)) : built.body;
  const { authorization: _bearer, ...headers } = built.headers;
  return {
    method: 'POST',
    url: chatUrl(target),
    headers: { ...headers, ...(options.stream ? { accept: 'text/event-stream' } : {}), ...authHeaders(target) },
    body,
  };
}
