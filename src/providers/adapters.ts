import { anthropicAdapter } from './anthropic/index.js';
import { azureAdapter } from './azure/index.js';
import { bedrockAdapter } from './bedrock/index.js';
import { cohereAdapter } from './cohere/index.js';
import { geminiAdapter } from './gemini/index.js';
import { openaiAdapter } from './openai/index.js';
import { openrouterAdapter } from './openrouter/index.js';
import { getProvider } from './registry.js';
import type { ProviderAdapter, ProviderId, WireFamily } from './types.js';

/** One adapter per wire family. */
export const ADAPTERS: Record<WireFamily, ProviderAdapter> = {
  openai: openaiAdapter,
  anthropic: anthropicAdapter,
  gemini: geminiAdapter,
  openrouter: openrouterAdapter,
  azure: azureAdapter,
  bedrock: bedrockAdapter,
  cohere: cohereAdapter,
};

export function adapterFor(provider: ProviderId): ProviderAdapter {
  return ADAPTERS[getProvider(provider).family];
}
