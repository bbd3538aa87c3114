// OpenRouter SSE → canonical chunks: the OpenAI translator with OpenRouter's error
// reading and reasoning_details collection. `: OPENROUTER PROCESSING` keep-alive
// comments never reach it (the SSE decoder drops comments). A mid-stream failure is a
// chunk with a top-level `error` and finish_reason "error"
// (openrouter.ai/docs/api-reference/streaming, "Handling errors during streaming").
import { OpenAiStreamTranslator } from '../openai/stream.js';
import type { ResponseMeta, StreamTranslator } from '../types.js';
import { classifyOpenRouterEmbedded } from './errors.js';
import { ReasoningDetailsCollector } from './reasoning-details.js';

export function createOpenRouterTranslator(meta: ResponseMeta): StreamTranslator {
  return new OpenAiStreamTranslator(meta, classifyOpenRouterEmbedded, new ReasoningDetailsCollector());
}
