import { describe, expect, it } from 'vitest';
import { callTarget } from '../../../test/helpers/call-target.js';
import { META, fixtureJson } from '../openai/test-support.js';
import { UpstreamError, type ChatCompletion } from '../types.js';
import { thinkingBlocksToReasoningDetails } from './reasoning-details.js';
import { parseChatResponse } from './response.js';

const here = new URL('.', import.meta.url);
const target = callTarget('openrouter', 'anthropic/claude-sonnet-4.6');

describe('openrouter response', () => {
  it('returns reasoning as reasoning_content and reasoning_details as thinking blocks that round-trip', () => {
    const completion = parseChatResponse(fixtureJson(here, 'chat-completion-reasoning.json'), target, META) as ChatCompletion;
    const message = completion.choices[0].message;
    expect(message.reasoning_content).toBe('The user wants the weather; call the tool.');
    expect(message).not.toHaveProperty('reasoning_details');
    expect(message.thinking_blocks).toHaveLength(1);
    expect(message.thinking_blocks?.[0]).toMatchObject({ type: 'thinking', thinking: 'The user wants the weather; call the tool.', signature: 'EqMDCkgIBhABGAIqQL1' });
    const original = (fixtureJson(here, 'chat-completion-reasoning.json') as any).choices[0].message.reasoning_details;
    expect(thinkingBlocksToReasoningDetails(message.thinking_blocks ?? [])).toEqual({ reasoning_details: original });
    expect(completion.choices[0].finish_reason).toBe('tool_calls');
    expect(completion).toMatchObject({ id: META.id, model: META.model, usage: { prompt_tokens: 194, cost: 0.00148 } });
  });

  it('classifies an error inside a 200 body by its code', () => {
    const result = parseChatResponse(fixtureJson(here, 'error-in-200.json'), target, META);
    expect(result).toBeInstanceOf(UpstreamError);
    expect(result).toMatchObject({ kind: 'server', status: 502 });
    expect(parseChatResponse({ error: { code: 403, message: 'flagged' } }, target, META)).toMatchObject({ kind: 'bad_request' });
  });
});
