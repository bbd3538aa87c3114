// The registry's OpenAI-family quirks, compiled once at load (regex sources → RegExp)
// into a read-only table, so the hot path does a map lookup and no parsing.
import { PROVIDERS, type OpenAiQuirks, type ProviderInfo } from '../registry.js';

export interface CompiledQuirks extends Omit<OpenAiQuirks, 'effortModels' | 'fixedSamplingModels' | 'dropFields'> {
  info: ProviderInfo;
  effortModels: RegExp | null;
  fixedSamplingModels: RegExp | null;
  dropFields: readonly string[];
}

function compile(info: ProviderInfo): CompiledQuirks {
  const quirks = info.openaiQuirks ?? {};
  return Object.freeze({
    ...quirks,
    info,
    effortModels: quirks.effortModels ? new RegExp(quirks.effortModels) : null,
    fixedSamplingModels: quirks.fixedSamplingModels ? new RegExp(quirks.fixedSamplingModels) : null,
    dropFields: quirks.dropFields ?? [],
  });
}

const COMPILED: ReadonlyMap<string, CompiledQuirks> = new Map(
  PROVIDERS.filter((p) => p.family === 'openai' || p.family === 'openrouter').map((p) => [p.id, compile(p)]),
);

export function quirksFor(providerId: string): CompiledQuirks {
  const compiled = COMPILED.get(providerId);
  if (!compiled) throw new Error(`provider ${providerId} is not in the openai or openrouter family`);
  return compiled;
}
