// Canonical chat messages → Anthropic `system` + `messages`.
// docs.claude.com/en/api/messages: only `user` and `assistant` turns; consecutive
// turns of one role are merged; tool results are user-turn `tool_result` blocks (all
// results of one assistant turn in one user turn); replayed thinking blocks go first
// in their assistant turn, before text and tool_use.
import type { ChatMessage, ContentPart, ThinkingBlock, ToolCall } from '../types.js';
import type { WireContentBlock, WireImageBlock, WireMessage, WireTextBlock, WireToolResultBlock } from './wire.js';

export interface ConvertedMessages {
  system: WireTextBlock[];
  messages: WireMessage[];
}

export function convertMessages(input: ChatMessage[]): ConvertedMessages {
  const system: WireTextBlock[] = [];
  const turns: WireMessage[] = [];
  for (const message of input) {
    if (message.role === 'system' || message.role === 'developer') {
      const text = plainText(message.content);
      if (text) system.push({ type: 'text', text });
      continue;
    }
    const turn = convertTurn(message);
    if (turn.content.length === 0) continue;
    const previous = turns[turns.length - 1];
    if (previous && previous.role === turn.role) previous.content.push(...turn.content);
    else turns.push(turn);
  }
  return { system, messages: turns };
}

function convertTurn(message: ChatMessage): WireMessage {
  switch (message.role) {
    case 'assistant':
      return { role: 'assistant', content: assistantBlocks(message) };
    case 'tool':
      return { role: 'user', content: [toolResult(message)] };
    default:
      return { role: 'user', content: userBlocks(message.content) };
  }
}

function userBlocks(content: ChatMessage['content']): WireContentBlock[] {
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  if (!Array.isArray(content)) return [];
  const blocks: WireContentBlock[] = [];
  for (const part of content) {
    if (part.type === 'text') {
      // The API rejects empty text blocks.
      if (part.text) blocks.push({ type: 'text', text: part.text });
    } else if (part.type === 'image_url') {
      blocks.push(imageBlock(part.image_url.url));
    }
  }
  return blocks;
}

function assistantBlocks(message: ChatMessage): WireContentBlock[] {
  const blocks: WireContentBlock[] = (message.thinking_blocks ?? []).flatMap(replayThinking);
  const text = plainText(message.content);
  if (text) blocks.push({ type: 'text', text });
  for (const call of message.tool_calls ?? []) blocks.push(toolUse(call));
  return blocks;
}

/** Opaque blocks go back exactly as received; anything without its signature or data cannot be verified and is dropped. */
function replayThinking(block: ThinkingBlock): WireContentBlock[] {
  if (block.type === 'thinking' && typeof block.signature === 'string' && block.signature) {
    return [{ type: 'thinking', thinking: block.thinking ?? '', signature: block.signature }];
  }
  if (block.type === 'redacted_thinking' && typeof block.data === 'string' && block.data) {
    return [{ type: 'redacted_thinking', data: block.data }];
  }
  return [];
}

function toolUse(call: ToolCall): WireContentBlock {
  return { type: 'tool_use', id: call.id, name: call.function.name, input: parseArguments(call.function.arguments) };
}

/** `input` must be an object; arguments that are empty or not a JSON object become `{}`. */
function parseArguments(text: string | undefined): Record<string, unknown> {
  if (!text || !text.trim()) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function toolResult(message: ChatMessage): WireToolResultBlock {
  const block: WireToolResultBlock = { type: 'tool_result', tool_use_id: message.tool_call_id ?? '' };
  if (typeof message.content === 'string') {
    if (message.content) block.content = message.content;
  } else if (Array.isArray(message.content)) {
    const texts = message.content.filter(isText).filter((p) => p.text);
    if (texts.length) block.content = texts.map((p) => ({ type: 'text', text: p.text }));
  }
  return block;
}

function plainText(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter(isText)
    .map((p) => p.text)
    .join('\n');
}

function isText(part: ContentPart): part is Extract<ContentPart, { type: 'text' }> {
  return part.type === 'text';
}

const DATA_URL = /^data:([^;,]+)((?:;[^;,]*)*?)(;base64)?,(.*)$/s;

/** `data:` URLs become base64 sources; anything else is passed as a URL source for the API to fetch. */
export function imageBlock(url: string): WireImageBlock {
  const match = DATA_URL.exec(url);
  if (!match) return { type: 'image', source: { type: 'url', url } };
  const [, mediaType, , base64, payload] = match;
  const data = base64 ? payload : Buffer.from(decodeURIComponent(payload), 'utf8').toString('base64');
  return { type: 'image', source: { type: 'base64', media_type: mediaType.toLowerCase(), data } };
}
