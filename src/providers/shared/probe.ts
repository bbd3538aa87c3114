// What a probe's answer means for the operator, shared by every family. Adapters
// parse their own model list and add provider-specific hints.
import { getProvider } from '../registry.js';
import type { CallTarget, ProbeOutcome, ProbeStatus } from '../types.js';
import { extractErrorFields, looksLikeQuotaExhausted, safeJsonParse, scrubProviderMessage } from './http-errors.js';

function planHint(target: CallTarget): string {
  const provider = getProvider(target.provider);
  if (provider.plans.length === 0) return '';
  const names = provider.plans.map((p) => `${p.name} (${p.baseUrl})`).join(' or ');
  return ` ${provider.name} keys belong to one plan: a key of one plan is rejected on the other plan's endpoint. Check the plan matches the key: ${names}.`;
}

export function outcome(
  status: ProbeStatus,
  message: string,
  httpStatus: number | null,
  models: string[] | null = null,
  modelFound: boolean | null = null,
): ProbeOutcome {
  return { status, message, httpStatus, models, modelFound };
}

/** The outcome of a non-2xx probe answer, with the advice BYOK users rely on. */
export function probeFailure(status: number, bodyText: string, target: CallTarget): ProbeOutcome {
  const provider = getProvider(target.provider);
  const fields = extractErrorFields(safeJsonParse(bodyText));
  const said = fields.message ? ` The provider said: "${scrubProviderMessage(fields.message)}".` : '';
  if (status === 401) {
    return outcome(
      'invalid_key',
      `${provider.name} rejected the key (401). Copy it again without spaces, quotes or line breaks, and check it has not been revoked.${planHint(target)}${said}`,
      status,
    );
  }
  if (status === 403) {
    return outcome(
      'forbidden',
      `${provider.name} accepted the key but refused access (403). Check the key's project or workspace permissions, the region, and that billing is enabled.${planHint(target)}${said}`,
      status,
    );
  }
  if (status === 402 || looksLikeQuotaExhausted(fields.code, fields.message)) {
    return outcome(
      'provider_error',
      `${provider.name} reports the account is out of credit or billing is not enabled (${status}). Add credit or enable billing, then test again.${said}`,
      status,
    );
  }
  if (status === 404) {
    return outcome(
      'endpoint_not_found',
      `Nothing answers at ${target.baseUrl} for this provider (404). Check the base URL: the version path (such as /v1) and the trailing slash matter.${planHint(target)}${said}`,
      status,
    );
  }
  if (status === 429) {
    return outcome(
      'rate_limited',
      `${provider.name} is rate limiting this key (429). The key is probably valid; wait and test again, or raise the account's limits.${said}`,
      status,
    );
  }
  return outcome('provider_error', `${provider.name} answered ${status}.${said}`, status);
}

/** `{data: [{id}]}` (OpenAI and most compatible vendors) or a bare array (Together). */
export function openAiModelIds(body: unknown): string[] | null {
  const list = Array.isArray(body) ? body : (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(list)) return null;
  return list
    .map((entry) => (entry && typeof entry === 'object' ? (entry as { id?: unknown }).id : undefined))
    .filter((id): id is string => typeof id === 'string');
}

/** A 2xx probe with the provider's model list: ok, or model_not_found when the configured model is missing. */
export function modelListOutcome(status: number, models: string[] | null, target: CallTarget): ProbeOutcome {
  const provider = getProvider(target.provider);
  if (models === null) {
    return outcome('ok', `${provider.name} accepted the key.`, status);
  }
  if (!target.model) return outcome('ok', `${provider.name} accepted the key; ${models.length} models available.`, status, models);
  const found = models.includes(target.model);
  if (found) {
    return outcome('ok', `${provider.name} accepted the key and lists ${target.model}.`, status, models, true);
  }
  const close = models.filter((m) => m.toLowerCase().includes(target.model.toLowerCase().slice(0, 6))).slice(0, 5);
  const suggestion = close.length ? ` Did you mean: ${close.join(', ')}?` : '';
  return outcome(
    'model_not_found',
    `${provider.name} accepted the key, but does not list the model "${target.model}" for it. Check the model id for typos.${suggestion}`,
    status,
    models,
    false,
  );
}
