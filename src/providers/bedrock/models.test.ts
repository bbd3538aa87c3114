import { describe, expect, it } from 'vitest';
import { baseModelId, reasoningFamily } from './models.js';

describe('Bedrock model ids', () => {
  it.each([
    ['anthropic.claude-sonnet-4-20250514-v1:0', 'anthropic.claude-sonnet-4-20250514-v1:0'],
    ['us.anthropic.claude-sonnet-4-20250514-v1:0', 'anthropic.claude-sonnet-4-20250514-v1:0'],
    ['apac.amazon.nova-pro-v1:0', 'amazon.nova-pro-v1:0'],
    ['arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0', 'amazon.nova-pro-v1:0'],
    ['arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.anthropic.claude-opus-4-7', 'anthropic.claude-opus-4-7'],
    ['arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc', null],
    ['arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc', null],
  ])('%s → %s', (model, base) => {
    expect(baseModelId(model)).toBe(base);
  });

  it.each([
    ['global.anthropic.claude-opus-4-7', 'claude_adaptive'],
    ['anthropic.claude-opus-4-6-v1', 'claude_adaptive'],
    ['us.anthropic.claude-sonnet-4-6', 'claude_adaptive'],
    ['anthropic.claude-opus-5', 'claude_adaptive'],
    ['anthropic.claude-sonnet-4-5-20250929-v1:0', 'claude_budget'],
    ['anthropic.claude-opus-4-20250514-v1:0', 'claude_budget'],
    ['anthropic.claude-opus-4-1-20250805-v1:0', 'claude_budget'],
    ['anthropic.claude-haiku-4-5-20251001-v1:0', 'claude_budget'],
    ['us.anthropic.claude-3-7-sonnet-20250219-v1:0', 'claude_budget'],
    ['anthropic.claude-3-5-sonnet-20240620-v1:0', 'none'],
    ['us.amazon.nova-2-lite-v1:0', 'nova_effort'],
    ['amazon.nova-pro-v1:0', 'none'],
    ['openai.gpt-oss-120b-1:0', 'openai_effort'],
  ])('%s takes %s reasoning', (model, family) => {
    expect(reasoningFamily(model)).toBe(family);
  });
});
