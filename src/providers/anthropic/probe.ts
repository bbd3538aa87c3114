// Proving a key without inference: GET /v1/models (docs.claude.com/en/api/models-list).
// The list is paginated (`has_more`, `last_id`; `limit` 1–1000); one page of 1000 holds
// every Claude model, and a probe makes exactly one call.
import { safeJsonParse } from '../shared/http-errors.js';
import { modelListOutcome, openAiModelIds, outcome, probeFailure } from '../shared/probe.js';
import type { CallTarget, ProbeOutcome, UpstreamHeaders, UpstreamRequest } from '../types.js';
import { anthropicHeaders } from './request.js';
import type { WireModelList } from './wire.js';

export function buildProbeRequest(target: CallTarget, _options: { now: Date }): UpstreamRequest {
  const { 'content-type': _json, ...headers } = anthropicHeaders(target);
  return { method: 'GET', url: `${target.baseUrl}/v1/models?limit=1000`, headers };
}

export function parseProbeResponse(status: number, _headers: UpstreamHeaders, bodyText: string, target: CallTarget): ProbeOutcome {
  if (status < 200 || status >= 300) return probeFailure(status, bodyText, target);
  const body = safeJsonParse(bodyText) as WireModelList | undefined;
  const models = openAiModelIds(body);
  if (models === null) {
    return outcome('provider_error', `Anthropic answered ${status}, but not with a model list. Check the base URL.`, status);
  }
  // A model missing from a partial page may be on the next one: say "unknown", not "not found".
  if (body?.has_more === true && target.model && !models.includes(target.model)) {
    return outcome('ok', `Anthropic accepted the key; ${target.model} is not on the first page of its model list.`, status, models, null);
  }
  return modelListOutcome(status, models, target);
}
