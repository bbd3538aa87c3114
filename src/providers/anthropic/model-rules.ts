// Per-model-family rules, as data: which thinking mode a Claude model accepts and
// whether it rejects sampling parameters. Unknown (newer) models get the defaults,
// which follow the current documentation: adaptive thinking, sampling allowed.
// Sources: platform.claude.com/docs/en/build-with-claude/adaptive-thinking
// (Opus 4.6 / Sonnet 4.6 and later are adaptive; Opus 4.7 accepts nothing else; older
// models only know `enabled` + `budget_tokens`); the AI SDK's model capabilities
// (claude-opus-4-7 answers 400 to temperature / top_p / top_k).

export interface AnthropicModelRules {
  /** `adaptive`: `thinking:{type:"adaptive"}` + `output_config.effort`; `budget`: `thinking:{type:"enabled", budget_tokens}`. */
  thinking: 'adaptive' | 'budget';
  /** The model answers 400 to any of temperature, top_p, top_k. */
  rejectsSamplingParameters: boolean;
}

const DEFAULT_RULES: AnthropicModelRules = { thinking: 'adaptive', rejectsSamplingParameters: false };

const FAMILY_RULES: ReadonlyArray<{ pattern: RegExp; rules: Partial<AnthropicModelRules> }> = [
  { pattern: /^claude-opus-4-7/, rules: { rejectsSamplingParameters: true } },
  // Claude 3.7 and the 4.0 / 4.1 / 4.5 generation predate adaptive thinking.
  { pattern: /^claude-3-7-sonnet/, rules: { thinking: 'budget' } },
  { pattern: /^claude-(sonnet|opus|haiku)-4-(0|1|5)\b/, rules: { thinking: 'budget' } },
  { pattern: /^claude-(sonnet|opus)-4-\d{8}/, rules: { thinking: 'budget' } },
];

export function modelRules(model: string): AnthropicModelRules {
  const id = model.trim().toLowerCase();
  const match = FAMILY_RULES.find((entry) => entry.pattern.test(id));
  return { ...DEFAULT_RULES, ...match?.rules };
}

/** Thinking budgets for the `budget` style; the adaptive style sends the effort name instead. */
export const THINKING_BUDGET_TOKENS = { low: 2048, medium: 8192, high: 24_576 } as const;
