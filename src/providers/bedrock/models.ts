// What Bedrock model ids mean, as data: which reasoning switch a model family takes.
// Inference-profile ids (`us.anthropic…`) and ARNs are reduced to the base model id first.

export type ReasoningFamily =
  /** Claude 4.6+: `thinking: {type: "adaptive"}` + `output_config.effort`; Opus 4.7+ reject budgets. */
  | 'claude_adaptive'
  /** Claude 3.7 – 4.5: `thinking: {type: "enabled", budget_tokens}`. */
  | 'claude_budget'
  /** Amazon Nova 2: `reasoningConfig: {type: "enabled", maxReasoningEffort}`. */
  | 'nova_effort'
  /** OpenAI open-weight models on Bedrock: a flat `reasoning_effort`. */
  | 'openai_effort'
  | 'none';

// First match wins. Sources: Bedrock user guide "Adaptive thinking" and "Extended
// thinking" model tables; vercel/ai amazon-bedrock chat model (Nova 2, OpenAI models).
const REASONING_RULES: ReadonlyArray<{ pattern: RegExp; family: ReasoningFamily }> = [
  { pattern: /^anthropic\.claude-(?:opus|sonnet|haiku)-4-[6-9](?:\D|$)/, family: 'claude_adaptive' },
  { pattern: /^anthropic\.claude-(?:opus|sonnet|haiku)-[5-9](?:\D|$)/, family: 'claude_adaptive' },
  { pattern: /^anthropic\.claude-(?:mythos|fable)/, family: 'claude_adaptive' },
  { pattern: /^anthropic\.claude-3-7-sonnet/, family: 'claude_budget' },
  { pattern: /^anthropic\.claude-(?:opus|sonnet|haiku)-4(?:-[0-5])?(?:-|$)/, family: 'claude_budget' },
  { pattern: /^amazon\.nova-2/, family: 'nova_effort' },
  { pattern: /^openai\./, family: 'openai_effort' },
];

// Output ceilings that a thinking budget added on top of maxTokens can run into (only
// models whose ceiling is below what the gateway may ask for need a row).
const OUTPUT_TOKEN_CAPS: ReadonlyArray<{ pattern: RegExp; maxTokens: number }> = [
  { pattern: /^anthropic\.claude-opus-4-(?:1-)?\d{8}/, maxTokens: 32_000 },
];

const PROFILE_PREFIX = /^(?:us|us-gov|eu|apac|global|jp|au|ca)\./;

/**
 * The foundation-model id behind a model reference, or null when it cannot be known
 * from the id alone (application inference profiles, provisioned throughput ARNs).
 */
export function baseModelId(model: string): string | null {
  let id = model.trim();
  const arn = /^arn:aws[\w-]*:bedrock:[^:]*:[^:]*:([\w-]+)\/(.+)$/.exec(id);
  if (arn) {
    if (arn[1] !== 'foundation-model' && arn[1] !== 'inference-profile') return null;
    id = arn[2];
  }
  return id.replace(PROFILE_PREFIX, '');
}

export function reasoningFamily(model: string): ReasoningFamily {
  const id = baseModelId(model);
  if (!id) return 'none';
  return REASONING_RULES.find((rule) => rule.pattern.test(id))?.family ?? 'none';
}

export function isClaude(model: string): boolean {
  return /^anthropic\.claude/.test(baseModelId(model) ?? '');
}

export function outputTokenCap(model: string): number | null {
  const id = baseModelId(model);
  return (id && OUTPUT_TOKEN_CAPS.find((row) => row.pattern.test(id))?.maxTokens) || null;
}
