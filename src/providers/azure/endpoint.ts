// Where an Azure OpenAI call goes. Two URL styles:
// - deployment: {endpoint}/openai/deployments/{deployment}/chat/completions?api-version=…
//   (params.deployment set; the body's model is ignored by Azure)
// - v1 (GA since August 2025): {endpoint}/openai/v1/chat/completions, model = the
//   deployment name, no dated api-version.
// https://learn.microsoft.com/en-us/azure/ai-foundry/openai/api-version-lifecycle
import type { CallTarget } from '../types.js';

/** The latest GA data-plane version of the dated API. */
export const DEFAULT_API_VERSION = '2024-10-21';

/** Endpoints pasted with the API path still attached (…/openai, …/openai/v1/) work too. */
function trimEndpoint(url: string): string {
  return url.trim().replace(/\/+$/, '').replace(/\/openai(?:\/v1)?$/i, '');
}

export function endpoint(target: CallTarget): string {
  if (target.baseUrl) return trimEndpoint(target.baseUrl);
  const configured = target.params.endpoint?.trim();
  if (configured) return trimEndpoint(configured);
  const resource = target.params.resourceName?.trim();
  if (resource) return `https://${resource}.openai.azure.com`;
  throw new Error('Azure OpenAI needs params.endpoint or params.resourceName (or a base URL)');
}

export function deployment(target: CallTarget): string | null {
  return target.params.deployment?.trim() || null;
}

export function apiVersion(target: CallTarget): string {
  return target.params.apiVersion?.trim() || DEFAULT_API_VERSION;
}

export function chatUrl(target: CallTarget): string {
  const name = deployment(target);
  if (!name) return `${endpoint(target)}/openai/v1/chat/completions`;
  return `${endpoint(target)}/openai/deployments/${encodeURIComponent(name)}/chat/completions?api-version=${encodeURIComponent(apiVersion(target))}`;
}

export function modelsUrl(target: CallTarget): string {
  return `${endpoint(target)}/openai/v1/models`;
}

export function authHeaders(target: CallTarget): Record<string, string> {
  return { 'api-key': target.apiKey?.reveal() ?? '' };
}

/**
 * Dated versions before 2024-12-01-preview know neither the `developer` role nor
 * `reasoning_effort`; the v1 surface knows both.
 */
export function predatesReasoningApi(target: CallTarget): boolean {
  return deployment(target) !== null && apiVersion(target).slice(0, 10) < '2024-12-01';
}
