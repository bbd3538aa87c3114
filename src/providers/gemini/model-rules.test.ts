import { describe, expect, it } from 'vitest';
import { nearestLevel, requiresThoughtSignatures, thinkingConfigFor, thinkingRuleFor } from './model-rules.js';

describe('Gemini 2.5 uses a thinking budget', () => {
  it('2.5 Pro cannot turn thinking off: off is its minimum budget of 128', () => {
    expect(thinkingConfigFor('gemini-2.5-pro', 'off')).toEqual({ thinkingBudget: 128 });
  });

  it('2.5 Pro medium is a mid budget with thought summaries', () => {
    expect(thinkingConfigFor('gemini-2.5-pro', 'medium')).toEqual({ thinkingBudget: 8192, includeThoughts: true });
  });

  it('2.5 Flash turns thinking off with budget 0', () => {
    expect(thinkingConfigFor('gemini-2.5-flash', 'off')).toEqual({ thinkingBudget: 0 });
  });

  it('2.5 Flash high stays within its 24576 ceiling', () => {
    expect(thinkingConfigFor('gemini-2.5-flash-preview-09-2025', 'high')).toEqual({ thinkingBudget: 24_576, includeThoughts: true });
  });

  it('2.5 Flash-Lite never goes under its 512 minimum when thinking', () => {
    expect(thinkingRuleFor('gemini-2.5-flash-lite')).toMatchObject({ style: 'budget', min: 512 });
    expect(thinkingConfigFor('gemini-2.5-flash-lite', 'minimal')).toEqual({ thinkingBudget: 512, includeThoughts: true });
    expect(thinkingConfigFor('gemini-2.5-flash-lite', 'off')).toEqual({ thinkingBudget: 0 });
  });
});

describe('Gemini 3 uses a thinking level', () => {
  it('3 Pro accepts only low/high: medium goes to high, minimal to low', () => {
    expect(thinkingConfigFor('gemini-3-pro-preview', 'medium')).toEqual({ thinkingLevel: 'high', includeThoughts: true });
    expect(thinkingConfigFor('gemini-3-pro-preview', 'minimal')).toEqual({ thinkingLevel: 'low', includeThoughts: true });
  });

  it('3 Pro off is its lowest level, without thought text', () => {
    expect(thinkingConfigFor('gemini-3-pro-preview', 'off')).toEqual({ thinkingLevel: 'low' });
  });

  it('3.1 Pro (the curated custom-tools model) has medium but no minimal', () => {
    expect(thinkingConfigFor('gemini-3.1-pro-preview-customtools', 'medium')).toEqual({ thinkingLevel: 'medium', includeThoughts: true });
    expect(thinkingConfigFor('gemini-3.1-pro-preview', 'off')).toEqual({ thinkingLevel: 'low' });
  });

  it('3 Flash goes down to minimal', () => {
    expect(thinkingConfigFor('gemini-3-flash-preview', 'off')).toEqual({ thinkingLevel: 'minimal' });
    expect(thinkingConfigFor('gemini-3-flash-preview', 'low')).toEqual({ thinkingLevel: 'low', includeThoughts: true });
  });

  it('Flash 3.7 and later dropped minimal', () => {
    expect(thinkingConfigFor('gemini-3.7-flash', 'off')).toEqual({ thinkingLevel: 'low' });
    expect(thinkingConfigFor('gemini-3.7-flash', 'minimal')).toEqual({ thinkingLevel: 'low', includeThoughts: true });
  });

  it('3.x Flash-Lite keeps minimal', () => {
    expect(thinkingConfigFor('gemini-3.1-flash-lite', 'off')).toEqual({ thinkingLevel: 'minimal' });
  });

  it('accepts the models/ prefix and any case', () => {
    expect(thinkingConfigFor('models/Gemini-3-Pro-Preview', 'high')).toEqual({ thinkingLevel: 'high', includeThoughts: true });
  });

  it('marks level models as needing thought signatures on function calls', () => {
    expect(requiresThoughtSignatures('gemini-3.1-pro-preview')).toBe(true);
    expect(requiresThoughtSignatures('gemini-2.5-pro')).toBe(false);
  });
});

describe('models without a known rule', () => {
  it.each(['gemini-2.5-flash-image', 'gemini-3-pro-image-preview', 'gemini-2.5-flash-preview-tts', 'gemini-2.0-flash', 'gemini-1.5-pro', 'gemma-3-27b-it', 'fake-model', 'gemini-flash-latest'])(
    '%s gets no thinking parameters',
    (model) => {
      expect(thinkingConfigFor(model, 'high')).toBeUndefined();
      expect(thinkingConfigFor(model, 'off')).toBeUndefined();
    },
  );
});

describe('nearestLevel', () => {
  it('prefers the exact level, else the closest, ties going up', () => {
    expect(nearestLevel('medium', ['low', 'medium', 'high'])).toBe('medium');
    expect(nearestLevel('medium', ['low', 'high'])).toBe('high');
    expect(nearestLevel('minimal', ['low', 'high'])).toBe('low');
  });
});
