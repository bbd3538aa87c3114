// Proving a key without inference: `GET {baseUrl}/models` (OpenAI and most vendors),
// or the registry's probePath where the vendor lists elsewhere (Perplexity's
// router/v1/models proves the key but does not list Sonar models; Cloudflare's
// ai/models/search takes the model id as `search`).
import { getProvider, normaliseBaseUrl } from '../registry.js';
import { safeJsonParse } from '../shared/http-errors.js';
import { modelListOutcome, openAiModelIds, outcome, probeFailure } from '../shared/probe.js';
import type { CallTarget, ProbeOutcome, UpstreamHeaders, UpstreamRequest } from '../types.js';
import { extractFamilyError } from './errors.js';
import { quirksFor } from './quirks.js';
import { authHeaders } from './request.js';

export function buildProbeRequest(target: CallTarget): UpstreamRequest {
  const rules = quirksFor(target.provider);
  const url = new URL(rules.probePath ?? 'models', `${target.baseUrl}/`);
  if (rules.probeSearchParam && target.model) url.searchParams.set(rules.probeSearchParam, target.model);
  return { method: 'GET', url: url.toString(), headers: { accept: 'application/json', ...authHeaders(target.apiKey) } };
}

interface PlanDiagnosis {
  provider: string;
  /** The plan whose endpoint the target uses; undefined: any. */
  plan?: string;
  status?: number;
  code?: string;
  message?: RegExp;
  hint: string;
}

// Sharper than the shared plan hint where the answer tells which side is wrong.
// Sources: docs.z.ai/api-reference/api-code; kimi.com/code/docs/en/kimi-code/error-reference.html;
// kimi.com/help/kimi-api/api-error-codes.
const PLAN_DIAGNOSES: readonly PlanDiagnosis[] = [
  { provider: 'zai', code: '1309', hint: 'The GLM Coding Plan behind this key has expired: renew it, or use a Developer API key with plan "developer".' },
  { provider: 'zai', plan: 'coding', code: '1113', hint: 'This key has no active GLM Coding Plan (Z.ai says "no resource package"): a Developer API key belongs on plan "developer".' },
  { provider: 'zai', plan: 'developer', code: '1113', hint: 'The Developer API account has no balance. If this is a GLM Coding Plan key, choose plan "coding".' },
  { provider: 'zai', plan: 'coding', status: 401, hint: 'The GLM Coding Plan endpoint takes only keys of an active Coding Plan subscription; a Developer API key belongs on plan "developer".' },
  { provider: 'zai', plan: 'developer', status: 401, hint: 'If this is a GLM Coding Plan key, choose plan "coding": Coding Plan keys are refused on the Developer API endpoint.' },
  { provider: 'moonshot', plan: 'code', status: 401, hint: 'The Kimi Code endpoint takes only Kimi Code keys (sk-kimi-…, from the Kimi Code console); a Moonshot platform key belongs on plan "developer".' },
  { provider: 'moonshot', plan: 'developer', status: 401, hint: 'A Kimi Code key (sk-kimi-…) works only on the Kimi Code endpoint: choose plan "code" for it.' },
  { provider: 'moonshot', plan: 'code', message: /membership/i, hint: 'The key is valid, but Kimi could not verify an active membership with Kimi Code benefits.' },
  { provider: 'moonshot', plan: 'code', message: /only available for coding agents/i, hint: 'Kimi Code serves only approved coding agents; chat calls through this gateway will be refused (403).' },
  { provider: 'moonshot', plan: 'developer', status: 403, hint: 'Moonshot answers 403 when the account balance is used up: top up the account.' },
];

/** The plan whose endpoint the target calls; else the plan the admin chose (a proxy or test server in front). */
function planOf(target: CallTarget): string | undefined {
  const base = normaliseBaseUrl(target.baseUrl);
  return getProvider(target.provider).plans.find((plan) => normaliseBaseUrl(plan.baseUrl) === base)?.id ?? target.plan ?? undefined;
}

function diagnose(status: number, bodyText: string, target: CallTarget): string | null {
  const fields = extractFamilyError(safeJsonParse(bodyText));
  const plan = planOf(target);
  const match = PLAN_DIAGNOSES.find(
    (d) =>
      d.provider === target.provider &&
      (d.plan === undefined || d.plan === plan) &&
      (d.status === undefined || d.status === status) &&
      (d.code === undefined || d.code === fields.code) &&
      (d.message === undefined || (fields.message !== null && d.message.test(fields.message))),
  );
  return match?.hint ?? null;
}

/** `{data:[{id}]}`, a bare array, or Cloudflare's `{result:[{name}]}`. */
function modelIds(body: unknown): string[] | null {
  const ids = openAiModelIds(body);
  if (ids) return ids;
  const result = (body as { result?: unknown } | null)?.result;
  if (!Array.isArray(result)) return null;
  return result.map((entry) => (entry as { name?: unknown } | null)?.name).filter((name): name is string => typeof name === 'string');
}

export function parseProbeResponse(status: number, _headers: UpstreamHeaders, bodyText: string, target: CallTarget): ProbeOutcome {
  const name = getProvider(target.provider).name;
  if (status < 200 || status >= 300) {
    const failure = probeFailure(status, bodyText, target);
    const hint = diagnose(status, bodyText, target);
    return hint ? { ...failure, message: `${hint} ${failure.message}` } : failure;
  }
  if (quirksFor(target.provider).probeListsChatModels === false) {
    return outcome('ok', `${name} accepted the key. It publishes no list of its chat models, so the model id was not checked; a test with mode "completion" checks it.`, status);
  }
  const models = modelIds(safeJsonParse(bodyText));
  if (models === null) {
    return outcome(
      'provider_error',
      `${name} answered ${status} at ${target.baseUrl}, but not with a model list. Check the base URL: it should end where /chat/completions is appended (often /v1).`,
      status,
    );
  }
  const listed = modelListOutcome(status, models, target);
  // A model list may answer a key of either plan; only a chat call meets the plan (Z.ai error 1113 on the wrong one).
  if (listed.status === 'ok' && getProvider(target.provider).plans.length > 0) {
    return { ...listed, message: `${listed.message} A listing does not prove the plan: a test with mode "completion" checks the key against this plan's chat endpoint.` };
  }
  return listed;
}
