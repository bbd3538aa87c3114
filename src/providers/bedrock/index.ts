import type { ProviderAdapter } from '../types.js';
import { classifyError } from './errors.js';
import { buildProbeRequest, parseProbeResponse } from './probe.js';
import { buildChatRequest } from './request.js';
import { parseChatResponse } from './response.js';
import { BedrockStreamTranslator } from './stream.js';

export const bedrockAdapter: ProviderAdapter = {
  family: 'bedrock',
  buildChatRequest,
  parseChatResponse,
  classifyError,
  createStreamTranslator: (_target, meta) => new BedrockStreamTranslator(meta),
  buildProbeRequest,
  parseProbeResponse,
};
