// The Anthropic Messages adapter (wire family `anthropic`, provider id `anthropic`).
import type { ProviderAdapter } from '../types.js';
import { classifyError } from './errors.js';
import { buildProbeRequest, parseProbeResponse } from './probe.js';
import { buildChatRequest } from './request.js';
import { parseChatResponse } from './response.js';
import { AnthropicStreamTranslator } from './stream.js';

export const anthropicAdapter: ProviderAdapter = {
  family: 'anthropic',
  buildChatRequest,
  parseChatResponse,
  classifyError: (status, headers, bodyText) => classifyError(status, headers, bodyText),
  createStreamTranslator: (_target, meta) => new AnthropicStreamTranslator(meta),
  buildProbeRequest,
  parseProbeResponse,
};
