// `GET {baseUrl}/key` proves the key itself (openrouter.ai/docs/api/api-reference/
// api-keys/get-current-key); `/models` is public and proves nothing about a key. The
// answer holds no model list, so models and modelFound stay null.
import { safeJsonParse } from '../shared/http-errors.js';
import { outcome, probeFailure } from '../shared/probe.js';
import type { CallTarget, ProbeOutcome, UpstreamHeaders, UpstreamRequest } from '../types.js';
import { openRouterHeaders } from './request.js';
import type { WireKeyInfo } from './wire.js';

export function buildProbeRequest(target: CallTarget): UpstreamRequest {
  return { method: 'GET', url: `${target.baseUrl}/key`, headers: { accept: 'application/json', ...openRouterHeaders(target) } };
}

export function parseProbeResponse(status: number, _headers: UpstreamHeaders, bodyText: string, target: CallTarget): ProbeOutcome {
  if (status < 200 || status >= 300) return probeFailure(status, bodyText, target);
  const info = (safeJsonParse(bodyText) as WireKeyInfo | undefined)?.data;
  if (!info || typeof info !== 'object') {
    return outcome('provider_error', `OpenRouter answered ${status} at ${target.baseUrl}/key, but not with key details. Check the base URL (https://openrouter.ai/api/v1).`, status);
  }
  const remaining = info.limit_remaining;
  if (typeof remaining === 'number' && remaining <= 0) {
    return outcome('provider_error', 'OpenRouter accepted the key, but its credit limit is used up (limit_remaining is 0). Raise the key\'s limit or add credits.', status);
  }
  const tier = info.is_free_tier ? ' It is a free-tier key: only free models and low rate limits apply.' : '';
  const model = target.model ? ` The model id "${target.model}" is not checked by this test; a test with mode "completion" checks it.` : '';
  return outcome('ok', `OpenRouter accepted the key.${tier}${model}`, status);
}
