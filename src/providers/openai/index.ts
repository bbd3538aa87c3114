// The OpenAI Chat Completions adapter (wire family `openai`): OpenAI and every
// OpenAI-compatible vendor in the registry; vendor differences are registry data.
import type { ProviderAdapter } from '../types.js';
import { classifyError } from './errors.js';
import { buildProbeRequest, parseProbeResponse } from './probe.js';
import { buildChatRequest } from './request.js';
import { parseChatResponse } from './response.js';
import { OpenAiStreamTranslator } from './stream.js';

export const openaiAdapter: ProviderAdapter = {
  family: 'openai',
  buildChatRequest,
  parseChatResponse: (body, target, meta) => parseChatResponse(body, target, meta),
  classifyError: (status, headers, bodyText) => classifyError(status, headers, bodyText),
  createStreamTranslator: (_target, meta) => new OpenAiStreamTranslator(meta),
  buildProbeRequest: (target) => buildProbeRequest(target),
  parseProbeResponse,
};
