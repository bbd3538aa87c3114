// The OpenRouter adapter (wire family `openrouter`): OpenAI Chat Completions plus
// OpenRouter's reasoning, routing, attribution and error conventions.
import type { ProviderAdapter } from '../types.js';
import { classifyError } from './errors.js';
import { buildProbeRequest, parseProbeResponse } from './probe.js';
import { buildChatRequest } from './request.js';
import { parseChatResponse } from './response.js';
import { createOpenRouterTranslator } from './stream.js';

export const openrouterAdapter: ProviderAdapter = {
  family: 'openrouter',
  buildChatRequest,
  parseChatResponse,
  classifyError,
  createStreamTranslator: (_target, meta) => createOpenRouterTranslator(meta),
  buildProbeRequest: (target) => buildProbeRequest(target),
  parseProbeResponse,
};
