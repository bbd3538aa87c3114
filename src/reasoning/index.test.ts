import { describe, expect, it } from 'vitest';
import { customOverrideFor, deepMerge, resolveReasoning, toSnakeCaseKeys } from './index.js';

describe('reasoning resolution', () => {
  it('uses the slot preset when the request names no effort', () => {
    expect(resolveReasoning({ level: 'high', custom: null }, 'anthropic')).toEqual({ preset: 'high', custom: null });
  });

  it("lets the request's reasoning_effort override the slot for that call", () => {
    expect(resolveReasoning({ level: 'high', custom: null }, 'openai', 'low')).toEqual({ preset: 'low', custom: null });
    expect(resolveReasoning({ level: 'high', custom: null }, 'openai', 'none')).toEqual({ preset: 'off', custom: null });
  });

  it('auto-wraps an un-namespaced override under the provider namespace', () => {
    const custom = { thinking: { type: 'enabled', budgetTokens: 2048 } };
    expect(resolveReasoning({ level: 'custom', custom }, 'anthropic')).toEqual({ preset: null, custom });
  });

  it('applies only our namespace of a namespaced override', () => {
    const custom = { anthropic: { thinking: { type: 'adaptive' } }, openai: { reasoningEffort: 'high' } };
    expect(customOverrideFor(custom, 'openai')).toEqual({ reasoningEffort: 'high' });
    expect(customOverrideFor(custom, 'google')).toBeNull();
  });

  it('maps camelCase option names to snake_case and keeps unknown ones', () => {
    expect(toSnakeCaseKeys({ thinking: { budgetTokens: 10 }, serviceTier: 'flex', already_snake: 1 })).toEqual({
      thinking: { budget_tokens: 10 },
      service_tier: 'flex',
      already_snake: 1,
    });
  });

  it('deep-merges objects and replaces arrays', () => {
    expect(deepMerge({ provider: { order: ['a'], allow_fallbacks: true } }, { provider: { order: ['b'] } })).toEqual({
      provider: { order: ['b'], allow_fallbacks: true },
    });
  });
});
