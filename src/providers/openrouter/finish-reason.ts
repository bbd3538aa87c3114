// OpenRouter normalises finish reasons to OpenAI's (the model's own is in
// `native_finish_reason`, kept as sent); `error` marks a failure. Same mapping as the
// OpenAI family.
export { FAILED_FINISH_REASONS, mapFinishReason } from '../openai/finish-reason.js';
