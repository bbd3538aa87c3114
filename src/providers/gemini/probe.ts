// The key is proven with models.list (ai.google.dev/api/models#method:-models.list):
// metadata only, no tokens spent. Names come back as `models/{id}`.
import { safeJsonParse, scrubProviderMessage } from '../shared/http-errors.js';
import { modelListOutcome, outcome, probeFailure } from '../shared/probe.js';
import type { CallTarget, ProbeOutcome, UpstreamHeaders, UpstreamRequest } from '../types.js';
import { errorFromStatus, isInvalidKey } from './errors.js';
import { normaliseModelId } from './model-rules.js';
import { apiRoot, geminiHeaders } from './request.js';
import type { GeminiErrorBody, GeminiModelList } from './wire.js';

/** 1000 is the documented maximum page size: one page holds every model a key can see. */
export function buildProbeRequest(target: CallTarget, _options: { now: Date }): UpstreamRequest {
  return { method: 'GET', url: `${apiRoot(target.baseUrl)}/models?pageSize=1000`, headers: geminiHeaders(target) };
}

export function modelIds(body: unknown): string[] | null {
  const models = (body as GeminiModelList | null)?.models;
  if (!Array.isArray(models)) return null;
  return models
    .map((model) => (typeof model?.name === 'string' ? model.name.replace(/^models\//, '') : null))
    .filter((id): id is string => id !== null);
}

export function parseProbeResponse(status: number, _headers: UpstreamHeaders, bodyText: string, target: CallTarget): ProbeOutcome {
  const body = safeJsonParse(bodyText);
  if (status < 200 || status >= 300) {
    const error = (body as GeminiErrorBody | undefined)?.error;
    // Gemini says 400, not 401, for a key it does not know.
    if (status === 400 && isInvalidKey(error)) {
      const said = error?.message ? ` Google said: "${scrubProviderMessage(error.message)}".` : '';
      return outcome(
        'invalid_key',
        `Google Gemini rejected the key (400 API_KEY_INVALID). Copy it again from Google AI Studio without spaces, quotes or line breaks, and check it has not been deleted.${said}`,
        status,
      );
    }
    // Every Gemini 429 says "exceeded your current quota"; only a per-day quota is really used up.
    if (status === 429) {
      const said = error?.message ? ` Google said: "${scrubProviderMessage(error.message)}".` : '';
      return errorFromStatus(error, status, null).kind === 'quota_exhausted'
        ? outcome('provider_error', `Google Gemini accepted the key, but its daily quota is used up (429). Wait for the reset or raise the project's quota.${said}`, status)
        : outcome('rate_limited', `Google Gemini is rate limiting this key (429). The key is probably valid; wait and test again.${said}`, status);
    }
    return probeFailure(status, bodyText, target);
  }
  const ids = modelIds(body);
  const wanted = normaliseModelId(target.model);
  const probed = modelListOutcome(status, ids, { ...target, model: target.model ? wanted : target.model });
  // A further page might still hold the model: do not call it missing.
  if (probed.status === 'model_not_found' && (body as GeminiModelList).nextPageToken) {
    return outcome('ok', 'Google Gemini accepted the key.', status, ids, null);
  }
  return probed;
}
