// Turns an admin's PUT/PATCH body into a validated slot configuration, with errors
// that say what to fix. Pure: no storage, no network (the base URL's DNS check is the
// caller's).
import { ApiError, MAX_JSON_DEPTH, nestsDeeperThan } from '../errors.js';
import { cleanPastedKey } from '../keys/hints.js';
import { quotableName } from '../keys/redact.js';
import {
  CURATED_MODELS,
  PROVIDER_IDS,
  findPlan,
  findProvider,
  normaliseBaseUrl,
  type ProviderInfo,
} from '../providers/registry.js';
import type { ReasoningLevel, SlotSettings } from '../providers/types.js';

export interface SettingsInput {
  temperature?: number | null;
  maxOutputTokens?: number | null;
  reasoning?: { level?: ReasoningLevel; custom?: unknown } | null;
  maxConcurrentRequests?: number | null;
  openrouter?: { order?: string[]; allowFallbacks?: boolean } | null;
}

export interface SlotInput {
  provider: string;
  model: string;
  apiKey?: string;
  credentials?: Record<string, string>;
  baseUrl?: string | null;
  plan?: string | null;
  settings?: SettingsInput;
  confirmOverride?: boolean;
}

export interface ValidatedCredentials {
  /** Every field, secret or not, as it will be encrypted. */
  all: Record<string, string>;
  /** Names of the secret fields (apiKey included when present). */
  secretFields: string[];
  /** Non-secret fields, shown in clear in the status. */
  params: Record<string, string>;
}

export function requireProvider(id: string): ProviderInfo {
  const provider = findProvider(id);
  if (!provider) {
    throw new ApiError(400, 'unknown_provider', `Unknown provider "${id}". Known providers: ${PROVIDER_IDS.join(', ')}.`, {
      param: 'provider',
    });
  }
  return provider;
}

/**
 * Model ids become URL path segments for some providers (Gemini, Bedrock, Azure): a
 * `.`/`..` segment, `?` or `#` would point the org's key at another path.
 */
export function assertModelId(model: string, param = 'model'): string {
  if (/(^|\/)\.{1,2}(\/|$)/.test(model) || /[?#\\]/.test(model)) {
    throw new ApiError(400, 'invalid_request', `The model id "${model.slice(0, 256)}" is not valid: it may not contain ".." or "." path segments, "?", "#" or "\\".`, { param });
  }
  return model;
}

export function validatePlan(provider: ProviderInfo, plan: string | null | undefined): string | null {
  if (plan === undefined || plan === null || plan === '') return null;
  if (!findPlan(provider, plan)) {
    const known = provider.plans.map((p) => p.id);
    throw new ApiError(
      400,
      'unknown_plan',
      known.length
        ? `Unknown plan "${plan}" for ${provider.name}. Plans: ${known.join(', ')}.`
        : `${provider.name} has no plans; remove "plan".`,
      { param: 'plan' },
    );
  }
  return plan;
}

/** The base URL a slot uses: the request's, else the plan's, else the provider's default. */
export function resolveBaseUrl(
  provider: ProviderInfo,
  plan: string | null,
  requested: string | null | undefined,
  params: Record<string, string>,
): string | null {
  if (requested) return normaliseBaseUrl(requested);
  if (plan) return normaliseBaseUrl(findPlan(provider, plan)!.baseUrl);
  if (provider.id === 'azure_openai') {
    if (params.endpoint) return normaliseBaseUrl(params.endpoint);
    if (params.resourceName) return `https://${encodeURIComponent(params.resourceName)}.openai.azure.com`;
    throw new ApiError(400, 'base_url_required', 'Azure OpenAI needs credentials.resourceName, credentials.endpoint or baseUrl (https://<resource>.openai.azure.com).', {
      param: 'credentials.resourceName',
    });
  }
  if (provider.id === 'cloudflare_workers_ai' && params.accountId) {
    return `https://api.cloudflare.com/client/v4/accounts/${encodeURIComponent(params.accountId)}/ai/v1`;
  }
  if (provider.defaultBaseUrl) return normaliseBaseUrl(provider.defaultBaseUrl);
  if (provider.baseUrlRequired) {
    throw new ApiError(400, 'base_url_required', `${provider.name} needs a baseUrl (the server's OpenAI-compatible root, e.g. http://host:port/v1).`, {
      param: 'baseUrl',
    });
  }
  return null;
}

export function validateCredentials(provider: ProviderInfo, apiKey: string | undefined, credentials: Record<string, string> | undefined): ValidatedCredentials {
  const all: Record<string, string> = {};
  const secretFields: string[] = [];
  const params: Record<string, string> = {};
  const fields = new Map(provider.credentials.map((f) => [f.name, f]));
  const merged: Record<string, string> = { ...(credentials ?? {}) };
  if (apiKey !== undefined) merged.apiKey = apiKey;
  for (const [name, raw] of Object.entries(merged)) {
    if (name === 'apiKey') continue;
    const quoted = quotableName(name);
    const field = quoted ? `credentials.${quoted}` : 'credentials';
    if (!fields.has(name)) {
      const known = [...fields.keys()];
      const what = quoted ? `"${quoted}" is not one of them` : 'one of the given names is not one of them';
      throw new ApiError(
        400,
        'invalid_credentials',
        known.length
          ? `${provider.name} takes credentials ${known.join(', ')} (and apiKey); ${what}.`
          : `${provider.name} takes only apiKey; remove ${quoted ? field : 'credentials'}.`,
        { param: field },
      );
    }
    if (typeof raw !== 'string') throw new ApiError(400, 'invalid_credentials', `${field} must be a string.`, { param: field });
  }
  if (merged.apiKey !== undefined) {
    const key = cleanPastedKey(merged.apiKey);
    if (key) {
      all.apiKey = key;
      secretFields.push('apiKey');
    }
  }
  if (provider.apiKeyRequired && !all.apiKey) {
    throw new ApiError(400, 'missing_api_key', `${provider.name} needs an apiKey.`, { param: 'apiKey' });
  }
  for (const field of provider.credentials) {
    const raw = merged[field.name];
    const value = raw === undefined ? '' : field.secret ? cleanPastedKey(raw) : raw.trim();
    if (!value) {
      if (field.required) {
        throw new ApiError(400, 'invalid_credentials', `${provider.name} needs credentials.${field.name} (${field.description}).`, {
          param: `credentials.${field.name}`,
        });
      }
      continue;
    }
    if (/[\r\n\0]/.test(value)) throw new ApiError(400, 'invalid_credentials', `credentials.${field.name} contains line breaks.`, { param: `credentials.${field.name}` });
    all[field.name] = value;
    if (field.secret) secretFields.push(field.name);
    else params[field.name] = value;
  }
  if (all.apiKey && /[\r\n\0]/.test(all.apiKey)) {
    throw new ApiError(400, 'invalid_api_key', 'The apiKey contains line breaks: paste the key alone.', { param: 'apiKey' });
  }
  return { all, secretFields, params };
}

export function parseReasoningOverride(custom: unknown): Record<string, unknown> | null {
  if (custom === undefined || custom === null) return null;
  let value = custom;
  if (typeof custom === 'string') {
    if (custom.trim() === '') return null;
    try {
      value = JSON.parse(custom);
    } catch {
      throw new ApiError(400, 'invalid_reasoning_override', 'settings.reasoning.custom is not valid JSON: check quotes, commas and brackets.', {
        param: 'settings.reasoning.custom',
      });
    }
  }
  if (nestsDeeperThan(value, MAX_JSON_DEPTH)) {
    throw new ApiError(400, 'invalid_reasoning_override', `settings.reasoning.custom nests more than ${MAX_JSON_DEPTH} levels deep; provider options are flat.`, {
      param: 'settings.reasoning.custom',
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ApiError(400, 'invalid_reasoning_override', 'settings.reasoning.custom must be a JSON object, e.g. {"thinking": {"type": "enabled"}}.', {
      param: 'settings.reasoning.custom',
    });
  }
  return value as Record<string, unknown>;
}

export function defaultSettings(provider: ProviderInfo, model: string, plan: string | null): SlotSettings {
  const curated = CURATED_MODELS.some((m) => m.provider === provider.id && m.model === model);
  return {
    temperature: null,
    maxOutputTokens: null,
    reasoning: { level: curated ? 'medium' : 'off', custom: null },
    maxConcurrentRequests: plan ? (findPlan(provider, plan)?.maxConcurrentRequests ?? null) : null,
    openrouter: null,
  };
}

/** Applies the fields the admin sent over `base`; absent fields keep their value. */
export function mergeSettings(base: SlotSettings, input: SettingsInput | undefined, provider: ProviderInfo): SlotSettings {
  if (!input) return base;
  const next: SlotSettings = { ...base, reasoning: { ...base.reasoning } };
  if (input.temperature !== undefined) next.temperature = input.temperature;
  if (input.maxOutputTokens !== undefined) next.maxOutputTokens = input.maxOutputTokens;
  if (input.maxConcurrentRequests !== undefined) next.maxConcurrentRequests = input.maxConcurrentRequests;
  if (input.reasoning !== undefined) {
    const level = input.reasoning?.level ?? 'off';
    const custom = parseReasoningOverride(input.reasoning?.custom);
    if (level === 'custom' && !custom) {
      throw new ApiError(400, 'invalid_reasoning_override', 'settings.reasoning.level is "custom": give the override as a JSON object in settings.reasoning.custom.', {
        param: 'settings.reasoning.custom',
      });
    }
    next.reasoning = { level, custom: level === 'custom' ? custom : null };
  }
  if (input.openrouter !== undefined) {
    if (input.openrouter !== null && provider.id !== 'openrouter') {
      throw new ApiError(400, 'invalid_settings', 'settings.openrouter applies only to the openrouter provider.', { param: 'settings.openrouter' });
    }
    next.openrouter = input.openrouter
      ? { order: input.openrouter.order ?? [], allowFallbacks: input.openrouter.allowFallbacks ?? true }
      : null;
  }
  return next;
}
