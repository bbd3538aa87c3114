// Reasoning presets and the custom JSON override, independent of any provider: the
// adapters turn the resolved choice into their native parameters.
import { OPTIONS_NAMESPACES, type OptionsNamespace } from '../providers/registry.js';
import type { ReasoningEffort, SlotSettings } from '../providers/types.js';

export type ReasoningPreset = 'off' | 'minimal' | 'low' | 'medium' | 'high';

export interface ResolvedReasoning {
  /** The preset to map to native parameters; null when a custom override replaces it. */
  preset: ReasoningPreset | null;
  /** The provider-namespace part of the custom override, keys as the user wrote them. */
  custom: Record<string, unknown> | null;
}

/**
 * The request's `reasoning_effort` wins for that call; otherwise the slot's level. A
 * custom level applies the override for this provider's namespace and no preset.
 */
export function resolveReasoning(
  settings: SlotSettings['reasoning'],
  namespace: OptionsNamespace,
  requestEffort?: ReasoningEffort,
): ResolvedReasoning {
  if (requestEffort) return { preset: requestEffort === 'none' ? 'off' : requestEffort, custom: null };
  if (settings.level === 'custom') return { preset: null, custom: customOverrideFor(settings.custom, namespace) };
  return { preset: settings.level, custom: null };
}

/**
 * The override is auto-wrapped under the provider's namespace unless it is already
 * namespaced (any top-level key is a known namespace); then only our namespace applies.
 */
export function customOverrideFor(
  custom: Record<string, unknown> | null,
  namespace: OptionsNamespace,
): Record<string, unknown> | null {
  if (!custom) return null;
  const namespaced = Object.keys(custom).some((key) => (OPTIONS_NAMESPACES as readonly string[]).includes(key));
  if (!namespaced) return custom;
  const ours = custom[namespace];
  return ours && typeof ours === 'object' && !Array.isArray(ours) ? (ours as Record<string, unknown>) : null;
}

function camelToSnake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** AI-SDK style option names (`budgetTokens`, `reasoningEffort`) to snake_case wire names; unknown keys pass through. */
export function toSnakeCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toSnakeCaseKeys);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) out[camelToSnake(key)] = toSnakeCaseKeys(inner);
  return out;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Objects merge key by key; arrays and scalars from `override` replace. */
export function deepMerge(base: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}
