// Probe: ListFoundationModels on the control plane, signed like any call, no inference.
// https://docs.aws.amazon.com/bedrock/latest/APIReference/API_ListFoundationModels.html
// The list proves the credentials work, not that the account has access to a model.
import { headerValue, safeJsonParse, scrubProviderMessage } from '../shared/http-errors.js';
import { modelListOutcome, outcome, probeFailure } from '../shared/probe.js';
import type { CallTarget, ProbeOutcome, UpstreamHeaders, UpstreamRequest } from '../types.js';
import { authHeaders, controlPlaneBase } from './endpoint.js';
import { normaliseErrorType } from './errors.js';
import { baseModelId } from './models.js';
import type { ErrorBody, ListFoundationModelsResponse } from './wire.js';

export function buildProbeRequest(target: CallTarget, options: { now: Date }): UpstreamRequest {
  const url = `${controlPlaneBase(target)}/foundation-models`;
  const headers = { accept: 'application/json' };
  return { method: 'GET', url, headers: { ...headers, ...authHeaders(target, { method: 'GET', url, headers }, options.now) } };
}

const CREDENTIAL_ADVICE: Record<string, string> = {
  unrecognizedclientexception: 'AWS does not recognise the access key id. Copy it again, and check the key is active in IAM.',
  invalidclienttokenid: 'AWS does not recognise the access key id. Copy it again, and check the key is active in IAM.',
  invalidsignatureexception:
    'The secret access key does not match the access key id (or this server clock is off by more than 5 minutes). Copy the secret again.',
  signaturedoesnotmatch:
    'The secret access key does not match the access key id (or this server clock is off by more than 5 minutes). Copy the secret again.',
  expiredtoken: 'The session token has expired. Temporary credentials need a fresh session token.',
  expiredtokenexception: 'The session token has expired. Temporary credentials need a fresh session token.',
};

function failure(status: number, headers: UpstreamHeaders, bodyText: string, target: CallTarget): ProbeOutcome {
  const body = safeJsonParse(bodyText) as ErrorBody | undefined;
  const type = normaliseErrorType(headerValue(headers, 'x-amzn-errortype')) ?? normaliseErrorType(body?.__type);
  const said = body?.message ?? body?.Message;
  const quoted = said ? ` AWS said: "${scrubProviderMessage(said)}".` : '';
  const advice = type ? CREDENTIAL_ADVICE[type.toLowerCase()] : undefined;
  if (advice) return outcome('invalid_key', `${advice}${quoted}`, status);
  if (type?.toLowerCase() === 'accessdeniedexception') {
    return outcome(
      'forbidden',
      `AWS accepted the credentials but the IAM identity may not list Bedrock models (bedrock:ListFoundationModels).${quoted}`,
      status,
    );
  }
  return probeFailure(status, bodyText, target);
}

export function parseProbeResponse(status: number, headers: UpstreamHeaders, bodyText: string, target: CallTarget): ProbeOutcome {
  if (status < 200 || status >= 300) return failure(status, headers, bodyText, target);
  const body = safeJsonParse(bodyText) as ListFoundationModelsResponse | undefined;
  const summaries = body?.modelSummaries;
  const models = Array.isArray(summaries)
    ? summaries.map((s) => s?.modelId).filter((id): id is string => typeof id === 'string')
    : null;
  if (!models || !target.model || models.includes(target.model)) return modelListOutcome(status, models, target);
  const base = baseModelId(target.model);
  if (base === null) {
    return outcome('ok', `AWS accepted the credentials. ${target.model} is a profile or provisioned ARN, which the model list cannot confirm.`, status, models, null);
  }
  // Inference profiles (us.…, eu.…, global.…) are not in the foundation-model list; their base model is.
  if (models.includes(base)) {
    return outcome('ok', `AWS accepted the credentials and lists ${base}, the model behind ${target.model}.`, status, models, true);
  }
  return modelListOutcome(status, models, target);
}
