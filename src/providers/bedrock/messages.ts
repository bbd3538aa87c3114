// Canonical messages → Converse `system` + `messages`.
import { UpstreamError, type ChatMessage, type ContentPart, type ThinkingBlock } from '../types.js';
import type { ContentBlock, ImageFormat, Message } from './wire.js';

export interface ConvertedMessages {
  system: Array<{ text: string }>;
  messages: Message[];
  /** The history holds toolUse/toolResult blocks (Converse then insists on a toolConfig). */
  hasToolBlocks: boolean;
}

function textOf(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  if (!content) return '';
  return content
    .filter((part): part is Extract<ContentPart, { type: 'text' }> => part.type === 'text')
    .map((part) => part.text)
    .join('');
}

const DATA_URL = /^data:image\/(png|jpe?g|gif|webp);base64,(.+)$/i;

// Converse takes image bytes (or S3 locations), never an http URL.
function imageBlock(url: string): ContentBlock {
  const match = DATA_URL.exec(url);
  if (!match) {
    throw new UpstreamError({
      kind: 'bad_request',
      providerMessage: 'Bedrock accepts images only as base64 data URLs (data:image/png;base64,…), not as links.',
    });
  }
  const subtype = match[1].toLowerCase();
  const format: ImageFormat = subtype === 'jpg' ? 'jpeg' : (subtype as ImageFormat);
  return { image: { format, source: { bytes: match[2] } } };
}

function userBlocks(content: ChatMessage['content']): ContentBlock[] {
  if (typeof content === 'string') return content ? [{ text: content }] : [];
  return (content ?? []).flatMap((part): ContentBlock[] => {
    if (part.type === 'text') return part.text ? [{ text: part.text }] : [];
    return [imageBlock(part.image_url.url)];
  });
}

function reasoningBlocks(blocks: ThinkingBlock[] | undefined): ContentBlock[] {
  return (blocks ?? []).flatMap((block): ContentBlock[] => {
    if (block.type === 'redacted_thinking' && block.data) return [{ reasoningContent: { redactedContent: block.data } }];
    if (block.type === 'thinking' && block.thinking !== undefined) {
      return [{ reasoningContent: { reasoningText: { text: block.thinking, ...(block.signature ? { signature: block.signature } : {}) } } }];
    }
    return [];
  });
}

function parseArguments(text: string): unknown {
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new UpstreamError({ kind: 'bad_request', providerMessage: `A tool call's arguments are not valid JSON: ${text.slice(0, 200)}` });
  }
}

function assistantBlocks(message: ChatMessage): ContentBlock[] {
  // Unsigned reasoning text cannot be replayed (Claude rejects thinking without its signature).
  const blocks = reasoningBlocks(message.thinking_blocks);
  const text = textOf(message.content);
  if (text) blocks.push({ text });
  for (const call of message.tool_calls ?? []) {
    blocks.push({ toolUse: { toolUseId: call.id, name: call.function.name, input: parseArguments(call.function.arguments) } });
  }
  return blocks;
}

function toolResultBlock(message: ChatMessage): ContentBlock {
  const text = textOf(message.content);
  // Converse rejects blank text blocks; an empty tool output becomes an empty JSON object.
  return { toolResult: { toolUseId: message.tool_call_id ?? '', content: [text ? { text } : { json: {} }] } };
}

/** Without a toolConfig Converse rejects tool blocks, so past calls and results are kept as text. */
function flattenToolBlock(block: ContentBlock): ContentBlock {
  if (block.toolUse) return { text: `[called tool ${block.toolUse.name} with ${JSON.stringify(block.toolUse.input)}]` };
  if (block.toolResult) {
    const output = block.toolResult.content.map((c) => ('text' in c ? c.text : JSON.stringify(c.json))).join('');
    return { text: `[result of tool call ${block.toolResult.toolUseId}: ${output}]` };
  }
  return block;
}

export function convertMessages(input: ChatMessage[]): ConvertedMessages {
  const system: Array<{ text: string }> = [];
  const messages: Message[] = [];
  let hasToolBlocks = false;
  const append = (role: Message['role'], content: ContentBlock[]): void => {
    if (content.length === 0) return;
    const last = messages[messages.length - 1];
    // Converse wants alternating turns: consecutive same-role messages (parallel tool
    // results, a tool result followed by a user note) become one turn.
    if (last && last.role === role) last.content.push(...content);
    else messages.push({ role, content });
  };
  for (const message of input) {
    switch (message.role) {
      case 'system':
      case 'developer': {
        const text = textOf(message.content);
        if (text) system.push({ text });
        break;
      }
      case 'user':
        append('user', userBlocks(message.content));
        break;
      case 'assistant':
        if (message.tool_calls?.length) hasToolBlocks = true;
        append('assistant', assistantBlocks(message));
        break;
      case 'tool':
        hasToolBlocks = true;
        append('user', [toolResultBlock(message)]);
        break;
    }
  }
  return { system, messages, hasToolBlocks };
}

export function withoutToolBlocks(messages: Message[]): Message[] {
  return messages.map((message) => ({ ...message, content: message.content.map(flattenToolBlock) }));
}
