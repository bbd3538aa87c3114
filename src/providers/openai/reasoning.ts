// The slot's reasoning preset (or the request's reasoning_effort) → native fields, by
// the registry's reasoning style. A custom override replaces the preset and is merged
// into the body last (snake_case wire names, unknown keys passed through).
import { resolveReasoning, toSnakeCaseKeys } from '../../reasoning/index.js';
import type { ChatRequest, CallTarget } from '../types.js';
import type { CompiledQuirks } from './quirks.js';

export interface ReasoningPlan {
  /** Native fields of the preset, assigned over the body. */
  fields: Record<string, unknown> | null;
  /** The custom override in wire names, deep-merged over everything. */
  custom: Record<string, unknown> | null;
  /** A reasoning_effort other than `none` goes out (OpenAI reasoning models then reject temperature/top_p). */
  effortSent: boolean;
}

// AI-SDK option names whose wire name is not their snake_case form.
const AI_SDK_RENAMES: Readonly<Record<string, string>> = { text_verbosity: 'verbosity' };

function customFields(custom: Record<string, unknown>): Record<string, unknown> {
  const snake = toSnakeCaseKeys(custom) as Record<string, unknown>;
  for (const [from, to] of Object.entries(AI_SDK_RENAMES)) {
    if (from in snake && !(to in snake)) {
      snake[to] = snake[from];
      delete snake[from];
    }
  }
  return snake;
}

function effortFields(rules: CompiledQuirks, model: string, preset: string): Pick<ReasoningPlan, 'fields' | 'effortSent'> {
  // Chat models without reasoning (gpt-4.1, gpt-4o) reject reasoning_effort outright.
  if (rules.effortModels && !rules.effortModels.test(model)) return { fields: null, effortSent: false };
  // `off`: omitted. gpt-5.1+ default to `none`; o-series and gpt-5 cannot turn reasoning off.
  if (preset === 'off') return { fields: rules.offEffort ? { reasoning_effort: rules.offEffort } : null, effortSent: false };
  return { fields: { reasoning_effort: preset }, effortSent: true };
}

export function planReasoning(request: ChatRequest, target: CallTarget, rules: CompiledQuirks, stream: boolean): ReasoningPlan {
  const { preset, custom } = resolveReasoning(target.settings.reasoning, rules.info.namespace, request.reasoning_effort);
  if (preset === null) {
    const fields = custom ? customFields(custom) : null;
    const effort = fields?.reasoning_effort;
    return { fields: null, custom: fields, effortSent: typeof effort === 'string' && effort !== 'none' };
  }
  switch (rules.info.reasoning) {
    case 'openai_effort':
      return { ...effortFields(rules, target.model, preset), custom: null };
    case 'thinking_toggle':
      // Level is not expressible; Moonshot also rejects thinking together with reasoning_effort.
      return { fields: { thinking: { type: preset === 'off' ? 'disabled' : 'enabled' } }, custom: null, effortSent: false };
    case 'qwen_thinking': {
      // DashScope answers 400 to thinking on a non-streamed call: such calls get the answer without reasoning.
      const thinking = preset !== 'off' && (stream || !rules.thinkingRequiresStream);
      return { fields: { enable_thinking: thinking }, custom: null, effortSent: false };
    }
    default:
      return { fields: null, custom: null, effortSent: false };
  }
}
