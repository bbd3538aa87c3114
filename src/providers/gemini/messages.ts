// Canonical chat messages → Gemini `contents` + `systemInstruction`
// (ai.google.dev/api/generate-content#request-body, ai.google.dev/api/caching#Content).
import type { ChatMessage, ContentPart, ThinkingBlock, ToolCall } from '../types.js';
import { isPlainObject } from '../../reasoning/index.js';
import type { GeminiContent, GeminiPart } from './wire.js';

/**
 * Documented in ai.google.dev/gemini-api/docs/thought-signatures for a function call
 * whose signature was lost (a client that drops `thinking_blocks`, a history written by
 * another provider): Gemini 3 then accepts the turn instead of answering 400.
 */
export const SKIP_SIGNATURE = 'skip_thought_signature_validator';

export interface ConvertedMessages {
  systemInstruction?: GeminiContent;
  contents: GeminiContent[];
}

const DATA_URL = /^data:([^;,]+)?((?:;[^;,]*)*?)(;base64)?,(.*)$/s;

const MIME_BY_EXTENSION: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  heic: 'image/heic',
  heif: 'image/heif',
  pdf: 'application/pdf',
};

function textOf(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

/** Gemini cannot fetch arbitrary URLs as inline data; remote images go as `fileData` with a MIME type guessed from the path. */
function imagePart(url: string): GeminiPart {
  const data = DATA_URL.exec(url);
  if (data) {
    const mimeType = data[1] || 'application/octet-stream';
    const base64 = data[3] ? data[4] : Buffer.from(decodeURIComponent(data[4]), 'utf8').toString('base64');
    return { inlineData: { mimeType, data: base64 } };
  }
  let extension = '';
  try {
    extension = new URL(url).pathname.split('.').pop()?.toLowerCase() ?? '';
  } catch {
    extension = '';
  }
  return { fileData: { mimeType: MIME_BY_EXTENSION[extension] ?? 'image/jpeg', fileUri: url } };
}

function userParts(content: ChatMessage['content']): GeminiPart[] {
  if (typeof content === 'string') return content ? [{ text: content }] : [];
  if (!Array.isArray(content)) return [];
  return content
    .map((part: ContentPart): GeminiPart | null => {
      if (part.type === 'text') return part.text ? { text: part.text } : null;
      if (part.type === 'image_url') return imagePart(part.image_url.url);
      return null;
    })
    .filter((part): part is GeminiPart => part !== null);
}

function parseArguments(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text || '{}');
    return isPlainObject(parsed) ? parsed : { value: parsed };
  } catch {
    // Gemini's `args` is a Struct; arguments that are not JSON still reach the model as text.
    return { value: text };
  }
}

/**
 * Only blocks this adapter produced: `{type:'thinking', signature}` with no thought text.
 * Anthropic thinking blocks always carry `thinking`, and their signatures mean nothing here.
 */
function geminiSignatures(blocks: ThinkingBlock[] | undefined): string[] {
  return (blocks ?? [])
    .filter((block) => block.type === 'thinking' && typeof block.signature === 'string' && block.signature && block.thinking == null)
    .map((block) => block.signature as string);
}

/**
 * The response side emits signatures in part order; Gemini signs the first function call
 * of a step (ai.google.dev/gemini-api/docs/thought-signatures) or, without calls, the last
 * part. So they go back on the function calls in order, else on the text.
 */
function assistantParts(message: ChatMessage, needsSignature: boolean): GeminiPart[] {
  const signatures = geminiSignatures(message.thinking_blocks);
  const text = textOf(message.content);
  const parts: GeminiPart[] = [];
  if (text) parts.push({ text });
  const calls = (message.tool_calls ?? []).map(
    (call: ToolCall): GeminiPart => ({ functionCall: { name: call.function.name, args: parseArguments(call.function.arguments) } }),
  );
  parts.push(...calls);
  const targets = calls.length > 0 ? calls : parts;
  signatures.slice(0, targets.length).forEach((signature, index) => {
    targets[index].thoughtSignature = signature;
  });
  if (calls.length > 0 && signatures.length === 0 && needsSignature) calls[0].thoughtSignature = SKIP_SIGNATURE;
  return parts;
}

/** A tool's output as the `response` Struct: JSON stays JSON, anything else is text, under `output` as the API suggests. */
function toolResponse(content: ChatMessage['content']): Record<string, unknown> {
  const text = textOf(content);
  try {
    return { output: JSON.parse(text) as unknown };
  } catch {
    return { output: text };
  }
}

function toolNames(messages: ChatMessage[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const message of messages) {
    for (const call of message.tool_calls ?? []) names.set(call.id, call.function.name);
  }
  return names;
}

export function convertMessages(messages: ChatMessage[], options: { needsSignature: boolean }): ConvertedMessages {
  const system: GeminiPart[] = [];
  const contents: GeminiContent[] = [];
  const names = toolNames(messages);
  let previousWasTool = false;

  for (const message of messages) {
    const isTool = message.role === 'tool';
    if (message.role === 'system' || message.role === 'developer') {
      const text = textOf(message.content);
      if (text) system.push({ text });
    } else if (message.role === 'user') {
      const parts = userParts(message.content);
      if (parts.length > 0) contents.push({ role: 'user', parts });
    } else if (message.role === 'assistant') {
      const parts = assistantParts(message, options.needsSignature);
      if (parts.length > 0) contents.push({ role: 'model', parts });
    } else if (isTool) {
      const name = names.get(message.tool_call_id ?? '') ?? message.name ?? 'unknown_function';
      const part: GeminiPart = { functionResponse: { name, response: toolResponse(message.content) } };
      // Parallel calls are answered in one user turn, in call order.
      if (previousWasTool) contents[contents.length - 1].parts.push(part);
      else contents.push({ role: 'user', parts: [part] });
    }
    previousWasTool = isTool;
  }

  return { ...(system.length > 0 ? { systemInstruction: { parts: system } } : {}), contents };
}
