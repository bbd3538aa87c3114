// Per-model-family thinking rules, as data. Sources: ai.google.dev/gemini-api/docs/thinking
// (Gemini 3 uses `thinkingLevel`, 2.5 uses `thinkingBudget`, sending both is a 400;
// 2.5 Pro accepts 128–32768 and cannot turn thinking off, 2.5 Flash 0–24576, Flash-Lite
// 512–24576 or 0), the Gemini 3 developer guide (3 Pro: low/high; 3.1 Pro adds medium,
// never minimal; Flash: minimal…high) and the AI SDK's capability table (Flash 3.7+
// dropped minimal). A model no row knows gets no thinking parameters at all: the
// model's own default beats a guess that answers 400.
import type { ReasoningPreset } from '../../reasoning/index.js';
import type { GeminiThinkingConfig, GeminiThinkingLevel } from './wire.js';

export type ThinkingRule =
  | { style: 'level'; levels: readonly GeminiThinkingLevel[] }
  | { style: 'budget'; min: number; max: number; canDisable: boolean };

const ALL_LEVELS: readonly GeminiThinkingLevel[] = ['minimal', 'low', 'medium', 'high'];
const NO_MINIMAL: readonly GeminiThinkingLevel[] = ['low', 'medium', 'high'];

/** First match wins, so the specific rows come before the open-ended ones. */
const THINKING_RULES: ReadonlyArray<{ pattern: RegExp; rule: ThinkingRule | null }> = [
  // Image, speech and live variants have their own (or no) thinking controls: leave them at their defaults.
  { pattern: /-(?:image|tts|live|native-audio)\b/, rule: null },
  { pattern: /^gemini-2\.5-pro/, rule: { style: 'budget', min: 128, max: 32_768, canDisable: false } },
  { pattern: /^gemini-2\.5-flash-lite/, rule: { style: 'budget', min: 512, max: 24_576, canDisable: true } },
  { pattern: /^gemini-2\.5-flash/, rule: { style: 'budget', min: 1, max: 24_576, canDisable: true } },
  { pattern: /^gemini-3(?:\.0)?-pro/, rule: { style: 'level', levels: ['low', 'high'] } },
  { pattern: /^gemini-(?:3|[4-9]|\d{2,})(?:\.\d+)?-pro/, rule: { style: 'level', levels: NO_MINIMAL } },
  { pattern: /^gemini-3(?:\.\d+)?-flash-lite/, rule: { style: 'level', levels: ALL_LEVELS } },
  { pattern: /^gemini-3(?:\.[0-6])?-flash/, rule: { style: 'level', levels: ALL_LEVELS } },
  { pattern: /^gemini-(?:3|[4-9]|\d{2,})(?:\.\d+)?-flash/, rule: { style: 'level', levels: NO_MINIMAL } },
];

/** Budgets for the 2.5 family, clamped into each model's accepted range. */
const PRESET_BUDGETS: Record<Exclude<ReasoningPreset, 'off'>, number> = {
  minimal: 512,
  low: 2048,
  medium: 8192,
  high: 24_576,
};

export function normaliseModelId(model: string): string {
  return model.trim().toLowerCase().replace(/^models\//, '');
}

export function thinkingRuleFor(model: string): ThinkingRule | null {
  const id = normaliseModelId(model);
  return THINKING_RULES.find((row) => row.pattern.test(id))?.rule ?? null;
}

/** The supported level closest to the wanted one; ties go up (3 Pro's medium → high, its default). */
export function nearestLevel(wanted: GeminiThinkingLevel, supported: readonly GeminiThinkingLevel[]): GeminiThinkingLevel {
  const rank = (level: GeminiThinkingLevel) => ALL_LEVELS.indexOf(level);
  let best = supported[0];
  for (const level of supported) {
    const distance = Math.abs(rank(level) - rank(wanted));
    const bestDistance = Math.abs(rank(best) - rank(wanted));
    if (distance < bestDistance || (distance === bestDistance && rank(level) > rank(best))) best = level;
  }
  return best;
}

/**
 * The `generationConfig.thinkingConfig` for a preset. `off` asks for the least thinking
 * the model allows (level models and 2.5 Pro cannot switch it off) and no thought text.
 */
export function thinkingConfigFor(model: string, preset: ReasoningPreset): GeminiThinkingConfig | undefined {
  const rule = thinkingRuleFor(model);
  if (!rule) return undefined;
  if (rule.style === 'level') {
    if (preset === 'off') return { thinkingLevel: rule.levels[0] };
    return { thinkingLevel: nearestLevel(preset, rule.levels), includeThoughts: true };
  }
  if (preset === 'off') return { thinkingBudget: rule.canDisable ? 0 : rule.min };
  const budget = Math.min(rule.max, Math.max(rule.min, PRESET_BUDGETS[preset]));
  return { thinkingBudget: budget, includeThoughts: true };
}

/** Gemini 3 rejects a function-calling turn whose first call lost its signature. */
export function requiresThoughtSignatures(model: string): boolean {
  return thinkingRuleFor(model)?.style === 'level';
}
