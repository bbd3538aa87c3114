// Azure OpenAI (wire family `azure`): OpenAI Chat Completions behind Azure's URLs and
// api-key header. Responses and streams are OpenAI's, read by the OpenAI adapter, which
// already skips Azure's early `choices: []` chunks (prompt_filter_results only).
import { openaiAdapter } from '../openai/index.js';
import type { ProviderAdapter } from '../types.js';
import { classifyError } from './errors.js';
import { buildProbeRequest, parseProbeResponse } from './probe.js';
import { buildChatRequest } from './request.js';

export const azureAdapter: ProviderAdapter = {
  family: 'azure',
  buildChatRequest,
  parseChatResponse: (body, target, meta) => openaiAdapter.parseChatResponse(body, target, meta),
  classifyError,
  createStreamTranslator: (target, meta) => openaiAdapter.createStreamTranslator(target, meta),
  buildProbeRequest: (target) => buildProbeRequest(target),
  parseProbeResponse,
};
