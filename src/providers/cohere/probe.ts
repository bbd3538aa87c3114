// Probe: list the chat models the key may use, no inference.
// https://docs.cohere.com/reference/list-models
import { safeJsonParse } from '../shared/http-errors.js';
import { modelListOutcome, probeFailure } from '../shared/probe.js';
import type { CallTarget, ProbeOutcome, UpstreamHeaders, UpstreamRequest } from '../types.js';
import type { ModelList } from './wire.js';

export function buildProbeRequest(target: CallTarget): UpstreamRequest {
  // One page of up to 1000 (the documented maximum) holds every chat model.
  return {
    method: 'GET',
    url: `${target.baseUrl}/v1/models?endpoint=chat&page_size=1000`,
    headers: { accept: 'application/json', authorization: `Bearer ${target.apiKey?.reveal() ?? ''}` },
  };
}

export function parseProbeResponse(status: number, _headers: UpstreamHeaders, bodyText: string, target: CallTarget): ProbeOutcome {
  if (status < 200 || status >= 300) return probeFailure(status, bodyText, target);
  const list = (safeJsonParse(bodyText) as ModelList | undefined)?.models;
  const names = Array.isArray(list) ? list.map((m) => m?.name).filter((name): name is string => typeof name === 'string') : null;
  return modelListOutcome(status, names, target);
}
