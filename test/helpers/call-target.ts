import { Secret } from '../../src/keys/secret.js';
import { getProvider, normaliseBaseUrl } from '../../src/providers/registry.js';
import type { CallTarget, ProviderId, SlotSettings } from '../../src/providers/types.js';

/** A CallTarget for adapter fixture tests. */
export function callTarget(
  provider: ProviderId,
  model: string,
  overrides: Partial<Omit<CallTarget, 'settings'>> & { settings?: Partial<SlotSettings> } = {},
): CallTarget {
  const info = getProvider(provider);
  const { settings, ...rest } = overrides;
  return {
    provider,
    model,
    baseUrl: normaliseBaseUrl(rest.baseUrl ?? info.defaultBaseUrl ?? 'http://127.0.0.1:1'),
    plan: null,
    apiKey: new Secret('test-key-0123456789'),
    secrets: {},
    params: {},
    ...rest,
    settings: {
      temperature: null,
      maxOutputTokens: null,
      reasoning: { level: 'off', custom: null },
      maxConcurrentRequests: null,
      openrouter: null,
      ...settings,
    },
  };
}
