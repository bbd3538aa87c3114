import type { ProviderAdapter } from '../types.js';
import { classifyError } from './errors.js';
import { buildProbeRequest, parseProbeResponse } from './probe.js';
import { buildChatRequest } from './request.js';
import { parseChatResponse } from './response.js';
import { CohereStreamTranslator } from './stream.js';

export const cohereAdapter: ProviderAdapter = {
  family: 'cohere',
  buildChatRequest,
  parseChatResponse,
  classifyError,
  createStreamTranslator: (_target, meta) => new CohereStreamTranslator(meta),
  buildProbeRequest: (target) => buildProbeRequest(target),
  parseProbeResponse,
};
