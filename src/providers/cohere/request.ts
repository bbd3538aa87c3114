// Canonical request → Cohere `POST {baseUrl}/v2/chat`.
// https://docs.cohere.com/reference/chat
import { getProvider } from '../registry.js';
import type { BuildOptions, CallTarget, ChatMessage, ChatRequest, ContentPart, UpstreamRequest } from '../types.js';
import { deepMerge, resolveReasoning, toSnakeCaseKeys, type ReasoningPreset } from '../../reasoning/index.js';
import type { ChatRequest as CohereRequest, ImageContent, Message, TextContent, ThinkingContent } from './wire.js';

// Hybrid reasoning models take `thinking`; the others reject it. As data, by model id.
// https://docs.cohere.com/docs/reasoning
const THINKING_MODELS = /reasoning/i;

// The budget caps thinking; `high` leaves it to the model.
const THINKING_BUDGETS: Record<Exclude<ReasoningPreset, 'off'>, number | null> = {
  minimal: 1024,
  low: 2048,
  medium: 8192,
  high: null,
};

function textOf(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  return (content ?? [])
    .filter((part): part is Extract<ContentPart, { type: 'text' }> => part.type === 'text')
    .map((part) => part.text)
    .join('');
}

function userContent(content: ChatMessage['content']): Message & { role: 'user' } {
  if (typeof content === 'string' || !content) return { role: 'user', content: content ?? '' };
  const parts = content.map((part): TextContent | ImageContent =>
    part.type === 'text' ? { type: 'text', text: part.text } : { type: 'image_url', image_url: part.image_url },
  );
  return { role: 'user', content: parts };
}

function assistantMessage(message: ChatMessage): Message | null {
  const text = textOf(message.content);
  // Cohere's reasoning models take their earlier thinking back as a content item.
  const thinking = message.reasoning_content ?? message.thinking_blocks?.map((b) => b.thinking ?? '').join('');
  const content: Array<TextContent | ThinkingContent> = [];
  if (thinking) content.push({ type: 'thinking', thinking });
  if (text) content.push({ type: 'text', text });
  const toolCalls = (message.tool_calls ?? []).map((call) => ({
    id: call.id,
    type: 'function' as const,
    function: { name: call.function.name, arguments: call.function.arguments || '{}' },
  }));
  // tool_plan comes back as an extra field of the assistant message we returned.
  const toolPlan = (message as ChatMessage & { tool_plan?: unknown }).tool_plan;
  if (!content.length && !toolCalls.length) return null;
  return {
    role: 'assistant',
    ...(content.length ? { content: thinking ? content : text } : {}),
    ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
    ...(typeof toolPlan === 'string' && toolPlan ? { tool_plan: toolPlan } : {}),
  };
}

function convertMessages(messages: ChatMessage[]): Message[] {
  return messages.flatMap((message): Message[] => {
    switch (message.role) {
      case 'system':
      case 'developer':
        return [{ role: 'system', content: textOf(message.content) }];
      case 'user':
        return [userContent(message.content)];
      case 'assistant': {
        const converted = assistantMessage(message);
        return converted ? [converted] : [];
      }
      case 'tool':
        return [{ role: 'tool', tool_call_id: message.tool_call_id ?? '', content: textOf(message.content) }];
    }
  });
}

function tools(request: ChatRequest): Pick<CohereRequest, 'tools' | 'tool_choice'> {
  if (!request.tools?.length) return {};
  const choice = request.tool_choice;
  let list = request.tools;
  // Cohere has no named choice: offer only that tool and require a call.
  if (choice && typeof choice === 'object') list = list.filter((tool) => tool.function.name === choice.function.name);
  const mapped = list.map((tool) => ({
    type: 'function' as const,
    function: {
      name: tool.function.name,
      ...(tool.function.description ? { description: tool.function.description } : {}),
      ...(tool.function.parameters ? { parameters: tool.function.parameters } : {}),
    },
  }));
  const toolChoice = choice === 'required' || typeof choice === 'object' ? 'REQUIRED' : choice === 'none' ? 'NONE' : undefined;
  return { tools: mapped, ...(toolChoice ? { tool_choice: toolChoice } : {}) };
}

function thinking(preset: ReasoningPreset | null, model: string): CohereRequest['thinking'] | undefined {
  if (preset === null || !THINKING_MODELS.test(model)) return undefined;
  if (preset === 'off') return { type: 'disabled' };
  const budget = THINKING_BUDGETS[preset];
  return budget === null ? { type: 'enabled' } : { type: 'enabled', token_budget: budget };
}

export function buildCohereBody(request: ChatRequest, target: CallTarget, stream: boolean): CohereRequest {
  const maxTokens = request.max_completion_tokens ?? request.max_tokens ?? target.settings.maxOutputTokens ?? undefined;
  const temperature = request.temperature ?? target.settings.temperature ?? undefined;
  const stop = request.stop === undefined ? undefined : Array.isArray(request.stop) ? request.stop : [request.stop];
  const format = request.response_format;
  const { preset, custom } = resolveReasoning(target.settings.reasoning, getProvider(target.provider).namespace, request.reasoning_effort);
  const thinkingField = thinking(preset, target.model);

  const body: CohereRequest = {
    model: target.model,
    messages: convertMessages(request.messages),
    stream,
    ...tools(request),
    ...(format?.type === 'json_object' ? { response_format: { type: 'json_object' } } : {}),
    ...(format?.type === 'json_schema'
      ? { response_format: { type: 'json_object', ...(format.json_schema?.schema ? { json_schema: format.json_schema.schema } : {}) } }
      : {}),
    ...(maxTokens !== undefined ? { max_tokens: maxTokens } : {}),
    ...(temperature !== undefined ? { temperature } : {}),
    ...(request.top_p !== undefined ? { p: request.top_p } : {}),
    ...(stop?.length ? { stop_sequences: stop } : {}),
    ...(request.seed !== undefined ? { seed: request.seed } : {}),
    ...(thinkingField ? { thinking: thinkingField } : {}),
  };
  return custom ? (deepMerge(body, toSnakeCaseKeys(custom) as Record<string, unknown>) as CohereRequest) : body;
}

export function buildChatRequest(request: ChatRequest, target: CallTarget, options: BuildOptions): UpstreamRequest {
  return {
    method: 'POST',
    url: `${target.baseUrl}/v2/chat`,
    headers: {
      'content-type': 'application/json',
      accept: options.stream ? 'text/event-stream' : 'application/json',
      authorization: `Bearer ${target.apiKey?.reveal() ?? ''}`,
    },
    body: JSON.stringify(buildCohereBody(request, target, options.stream)),
  };
}
