// Reasoning presets and custom overrides → Converse `additionalModelRequestFields`.
// A custom override uses the AI SDK's bedrock provider options: `reasoningConfig`
// ({type, budgetTokens, maxReasoningEffort}) is mapped like a preset,
// `additionalModelRequestFields` is merged verbatim, and any other key is merged into
// the Converse body as written (Converse itself is camelCase, so nothing is renamed).
import { getProvider } from '../registry.js';
import type { ChatRequest, CallTarget } from '../types.js';
import { isPlainObject, resolveReasoning, type ReasoningPreset } from '../../reasoning/index.js';
import { reasoningFamily, type ReasoningFamily } from './models.js';

export interface ReasoningPlan {
  /** Merged into `additionalModelRequestFields`. */
  additionalFields: Record<string, unknown>;
  /** Merged into the Converse body (custom overrides only). */
  bodyExtras: Record<string, unknown>;
  /** Claude budget thinking: added on top of maxTokens so the answer keeps its room. */
  thinkingBudget: number | null;
  /** Claude thinking is on: it rejects temperature/topP and a forced tool choice. */
  claudeThinking: boolean;
}

type Effort = 'low' | 'medium' | 'high';

const CLAUDE_BUDGETS: Record<Exclude<ReasoningPreset, 'off'>, number> = {
  minimal: 1024, // Anthropic's minimum budget
  low: 2048,
  medium: 8192,
  high: 16384,
};

const NONE: ReasoningPlan = { additionalFields: {}, bodyExtras: {}, thinkingBudget: null, claudeThinking: false };

function effortOf(preset: Exclude<ReasoningPreset, 'off'>): Effort {
  return preset === 'minimal' ? 'low' : preset;
}

function presetPlan(family: ReasoningFamily, preset: ReasoningPreset): ReasoningPlan {
  if (preset === 'off') return NONE;
  switch (family) {
    case 'claude_adaptive':
      return {
        ...NONE,
        additionalFields: { thinking: { type: 'adaptive' }, output_config: { effort: effortOf(preset) } },
        claudeThinking: true,
      };
    case 'claude_budget': {
      const budget = CLAUDE_BUDGETS[preset];
      return {
        ...NONE,
        additionalFields: { thinking: { type: 'enabled', budget_tokens: budget } },
        thinkingBudget: budget,
        claudeThinking: true,
      };
    }
    case 'nova_effort':
      return { ...NONE, additionalFields: { reasoningConfig: { type: 'enabled', maxReasoningEffort: effortOf(preset) } } };
    case 'openai_effort':
      return { ...NONE, additionalFields: { reasoning_effort: effortOf(preset) } };
    case 'none':
      return NONE;
  }
}

interface ReasoningConfigOption {
  type?: string;
  budgetTokens?: number;
  maxReasoningEffort?: string;
}

/** The AI SDK's `reasoningConfig` option, mapped per model family as the SDK does. */
function reasoningConfigPlan(family: ReasoningFamily, option: ReasoningConfigOption): ReasoningPlan {
  const claude = family === 'claude_adaptive' || family === 'claude_budget';
  if (claude) {
    const fields: Record<string, unknown> = {};
    let budget: number | null = null;
    if (option.type === 'enabled' && typeof option.budgetTokens === 'number') {
      budget = option.budgetTokens;
      fields.thinking = { type: 'enabled', budget_tokens: budget };
    } else if (option.type === 'adaptive') {
      fields.thinking = { type: 'adaptive' };
    }
    if (option.maxReasoningEffort) fields.output_config = { effort: option.maxReasoningEffort };
    return { ...NONE, additionalFields: fields, thinkingBudget: budget, claudeThinking: 'thinking' in fields };
  }
  if (family === 'openai_effort') {
    return option.maxReasoningEffort ? { ...NONE, additionalFields: { reasoning_effort: option.maxReasoningEffort } } : NONE;
  }
  const config: Record<string, unknown> = {};
  if (option.type && option.type !== 'adaptive') config.type = option.type;
  if (option.budgetTokens !== undefined) config.budgetTokens = option.budgetTokens;
  if (option.maxReasoningEffort) config.maxReasoningEffort = option.maxReasoningEffort;
  return { ...NONE, additionalFields: { reasoningConfig: config } };
}

function customPlan(family: ReasoningFamily, custom: Record<string, unknown>): ReasoningPlan {
  const { reasoningConfig, additionalModelRequestFields, ...bodyExtras } = custom;
  const base = isPlainObject(reasoningConfig) ? reasoningConfigPlan(family, reasoningConfig as ReasoningConfigOption) : NONE;
  const verbatim = isPlainObject(additionalModelRequestFields) ? additionalModelRequestFields : {};
  const additionalFields = { ...base.additionalFields, ...verbatim };
  const thinking = additionalFields.thinking;
  const claudeThinking =
    base.claudeThinking || (isPlainObject(thinking) && (thinking.type === 'enabled' || thinking.type === 'adaptive'));
  const verbatimBudget = isPlainObject(thinking) && typeof thinking.budget_tokens === 'number' ? thinking.budget_tokens : null;
  return { additionalFields, bodyExtras, thinkingBudget: base.thinkingBudget ?? verbatimBudget, claudeThinking };
}

export function planReasoning(request: ChatRequest, target: CallTarget): ReasoningPlan {
  const family = reasoningFamily(target.model);
  const resolved = resolveReasoning(target.settings.reasoning, getProvider(target.provider).namespace, request.reasoning_effort);
  if (resolved.custom) return customPlan(family, resolved.custom);
  return resolved.preset ? presetPlan(family, resolved.preset) : NONE;
}
