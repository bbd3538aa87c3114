// Probe: `GET {endpoint}/openai/v1/models` with the api-key, no inference. It proves the
// key and endpoint; it lists the models the resource can deploy, not deployment names,
// so a deployment that is not listed under its own name is "unknown", not "missing".
import { safeJsonParse } from '../shared/http-errors.js';
import { openAiModelIds, outcome, probeFailure } from '../shared/probe.js';
import type { CallTarget, ProbeOutcome, UpstreamHeaders, UpstreamRequest } from '../types.js';
import { authHeaders, deployment, endpoint, modelsUrl } from './endpoint.js';

export function buildProbeRequest(target: CallTarget): UpstreamRequest {
  return { method: 'GET', url: modelsUrl(target), headers: { accept: 'application/json', ...authHeaders(target) } };
}

export function parseProbeResponse(status: number, _headers: UpstreamHeaders, bodyText: string, target: CallTarget): ProbeOutcome {
  if (status === 404) {
    return outcome(
      'endpoint_not_found',
      `Nothing answers at ${endpoint(target)}/openai/v1/models (404). Check the resource endpoint (https://<resource>.openai.azure.com) or the resource name.`,
      status,
    );
  }
  if (status < 200 || status >= 300) return probeFailure(status, bodyText, target);
  const models = openAiModelIds(safeJsonParse(bodyText));
  const name = deployment(target) ?? target.model;
  if (models === null) return outcome('ok', 'Azure OpenAI accepted the key.', status);
  if (name && models.includes(name)) return outcome('ok', `Azure OpenAI accepted the key and lists ${name}.`, status, models, true);
  return outcome(
    'ok',
    `Azure OpenAI accepted the key. Deployment names are not listed, so "${name}" cannot be confirmed without a call: use a completion test to check the deployment.`,
    status,
    models,
    null,
  );
}
