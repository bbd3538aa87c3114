// The Google Gemini (generativelanguage v1beta) adapter: provider id `google`, family `gemini`.
import type { ProviderAdapter } from '../types.js';
import { classifyError } from './errors.js';
import { buildProbeRequest, parseProbeResponse } from './probe.js';
import { buildChatRequest } from './request.js';
import { parseChatResponse } from './response.js';
import { GeminiStreamTranslator } from './stream.js';

export const geminiAdapter: ProviderAdapter = {
  family: 'gemini',
  buildChatRequest,
  parseChatResponse,
  classifyError,
  createStreamTranslator: (_target, meta) => new GeminiStreamTranslator(meta),
  buildProbeRequest,
  parseProbeResponse,
};
