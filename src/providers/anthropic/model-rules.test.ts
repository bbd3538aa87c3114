import { describe, expect, it } from 'vitest';
import { modelRules } from './model-rules.js';

describe('anthropic model rules', () => {
  it.each([
    ['claude-sonnet-4-6', 'adaptive', false],
    ['claude-opus-4-6', 'adaptive', false],
    ['claude-opus-4-7', 'adaptive', true],
    ['claude-sonnet-4-5-20250929', 'budget', false],
    ['claude-haiku-4-5', 'budget', false],
    ['claude-opus-4-1-20250805', 'budget', false],
    ['claude-sonnet-4-20250514', 'budget', false],
    ['claude-3-7-sonnet-latest', 'budget', false],
    ['claude-some-future-model', 'adaptive', false],
  ] as const)('%s: %s thinking, rejects sampling %s', (model, thinking, rejects) => {
    expect(modelRules(model)).toEqual({ thinking, rejectsSamplingParameters: rejects });
  });
});
