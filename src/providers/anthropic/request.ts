// Canonical chat request → Anthropic Messages request (docs.claude.com/en/api/messages).
import { deepMerge, isPlainObject, resolveReasoning, toSnakeCaseKeys, type ReasoningPreset } from '../../reasoning/index.js';
import { DEFAULT_MAX_OUTPUT_TOKENS, getProvider } from '../registry.js';
import type { BuildOptions, CallTarget, ChatRequest, ChatTool, ResponseFormat, UpstreamRequest } from '../types.js';
import { sanitizeOutputSchema } from './json-schema.js';
import { convertMessages } from './messages.js';
import { modelRules, THINKING_BUDGET_TOKENS, type AnthropicModelRules } from './model-rules.js';
import type { WireRequestBody, WireTextBlock, WireTool, WireToolChoice } from './wire.js';

export const ANTHROPIC_VERSION = '2023-06-01';

/**
 * Anthropic has no schema-less JSON mode (structured outputs require a schema whose
 * objects all set `additionalProperties: false`), and the newest models reject an
 * assistant prefill, so `json_object` is asked for in the system prompt.
 */
export const JSON_OBJECT_INSTRUCTION =
  'Respond with a single valid JSON object and nothing else: no prose, no Markdown code fences.';

/** AI-SDK option names that are client-side switches in the SDK, not wire fields. */
const SDK_ONLY_OPTIONS = ['send_reasoning', 'structured_output_mode', 'tool_streaming'];

export function anthropicHeaders(target: CallTarget): Record<string, string> {
  if (!target.apiKey) throw new Error('anthropic: the slot has no API key');
  return {
    'x-api-key': target.apiKey.reveal(),
    'anthropic-version': ANTHROPIC_VERSION,
    'content-type': 'application/json',
  };
}

export function buildChatRequest(request: ChatRequest, target: CallTarget, options: BuildOptions): UpstreamRequest {
  return {
    method: 'POST',
    url: `${target.baseUrl}/v1/messages`,
    headers: anthropicHeaders(target),
    body: JSON.stringify(buildMessagesBody(request, target, options.stream)),
  };
}

export function buildMessagesBody(request: ChatRequest, target: CallTarget, stream: boolean): WireRequestBody {
  const rules = modelRules(target.model);
  const { system, messages } = convertMessages(request.messages);
  let body: WireRequestBody = {
    model: target.model,
    max_tokens:
      request.max_completion_tokens ?? request.max_tokens ?? target.settings.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS,
    messages,
  };
  const systemBlocks = [...system, ...jsonObjectInstruction(request.response_format)];
  if (systemBlocks.length) body.system = systemBlocks;

  const temperature = request.temperature ?? target.settings.temperature;
  // OpenAI's range is 0–2, Anthropic's 0–1.
  if (typeof temperature === 'number') body.temperature = Math.min(1, Math.max(0, temperature));
  if (typeof request.top_p === 'number') body.top_p = request.top_p;
  const stop = stopSequences(request.stop);
  if (stop.length) body.stop_sequences = stop;
  if (request.user) body.metadata = { user_id: request.user };
  applyTools(body, request);
  const schema = outputSchema(request.response_format);
  if (schema) body.output_config = { format: { type: 'json_schema', schema } };

  const { namespace } = getProvider(target.provider);
  const reasoning = resolveReasoning(target.settings.reasoning, namespace, request.reasoning_effort);
  if (reasoning.custom) body = deepMerge(body, customOverride(reasoning.custom)) as WireRequestBody;
  else if (reasoning.preset) body = deepMerge(body, presetParams(reasoning.preset, rules)) as WireRequestBody;

  enforceModelRules(body, rules);
  if (stream) body.stream = true;
  return body;
}

function presetParams(preset: ReasoningPreset, rules: AnthropicModelRules): Record<string, unknown> {
  if (preset === 'off') return {};
  // The API knows low / medium / high (and max); `minimal` is the nearest, `low`.
  const level = preset === 'minimal' ? 'low' : preset;
  if (rules.thinking === 'budget') return { thinking: { type: 'enabled', budget_tokens: THINKING_BUDGET_TOKENS[level] } };
  // Opus 4.7 and later default to `display: "omitted"` (empty thinking text); the
  // contract returns reasoning text, so ask for the summary explicitly.
  return { thinking: { type: 'adaptive', display: 'summarized' }, output_config: { effort: level } };
}

/**
 * The override replaces the preset: AI-SDK camelCase keys become wire snake_case and
 * land at the top level of the body. The SDK's top-level `effort` is the wire's
 * `output_config.effort`; the SDK's client-side switches are not sent.
 */
function customOverride(custom: Record<string, unknown>): Record<string, unknown> {
  const wire = toSnakeCaseKeys(custom) as Record<string, unknown>;
  for (const key of SDK_ONLY_OPTIONS) delete wire[key];
  if (typeof wire.effort === 'string') {
    const outputConfig = isPlainObject(wire.output_config) ? wire.output_config : {};
    wire.output_config = { ...outputConfig, effort: wire.effort };
    delete wire.effort;
  }
  return wire;
}

/**
 * Rules the API enforces with a 400, applied last so they also hold for a custom
 * override: thinking cannot be combined with a forced tool choice (the caller's
 * explicit `tool_choice` wins, thinking is dropped); thinking rejects temperature,
 * top_p and top_k changes; some models reject sampling parameters outright; the
 * API wants temperature or top_p, not both; a thinking budget must stay below
 * max_tokens.
 */
function enforceModelRules(body: WireRequestBody, rules: AnthropicModelRules): void {
  const forcedTool = body.tool_choice?.type === 'any' || body.tool_choice?.type === 'tool';
  if (forcedTool && body.thinking && body.thinking.type !== 'disabled') delete body.thinking;
  const thinking = body.thinking && body.thinking.type !== 'disabled';
  if (thinking || rules.rejectsSamplingParameters) {
    delete body.temperature;
    delete body.top_p;
    delete body.top_k;
  }
  if (body.temperature !== undefined && body.top_p !== undefined) delete body.top_p;
  const budget = body.thinking?.type === 'enabled' ? body.thinking.budget_tokens : undefined;
  if (typeof budget === 'number' && budget >= body.max_tokens) body.max_tokens += budget;
  if (body.output_config && Object.keys(body.output_config).length === 0) delete body.output_config;
}

function applyTools(body: WireRequestBody, request: ChatRequest): void {
  const tools = (request.tools ?? []).filter((tool) => tool.type === 'function' && tool.function?.name);
  if (tools.length === 0) return;
  body.tools = tools.map(toWireTool);
  const choice = toolChoice(request);
  if (choice) body.tool_choice = choice;
}

function toWireTool(tool: ChatTool): WireTool {
  const wire: WireTool = {
    name: tool.function.name,
    input_schema: tool.function.parameters ?? { type: 'object', properties: {} },
  };
  if (tool.function.description) wire.description = tool.function.description;
  if (tool.function.strict === true) wire.strict = true;
  return wire;
}

function toolChoice(request: ChatRequest): WireToolChoice | undefined {
  const choice = request.tool_choice;
  const noParallel = request.parallel_tool_calls === false ? { disable_parallel_tool_use: true } : {};
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return { type: 'any', ...noParallel };
  if (choice && typeof choice === 'object') return { type: 'tool', name: choice.function.name, ...noParallel };
  if (choice === 'auto' || request.parallel_tool_calls === false) return { type: 'auto', ...noParallel };
  return undefined;
}

function stopSequences(stop: ChatRequest['stop']): string[] {
  const list = typeof stop === 'string' ? [stop] : Array.isArray(stop) ? stop : [];
  // The API rejects whitespace-only stop sequences.
  return list.filter((s) => typeof s === 'string' && s.trim() !== '');
}

function outputSchema(format: ResponseFormat | undefined): Record<string, unknown> | null {
  if (format?.type !== 'json_schema' || !format.json_schema?.schema) return null;
  return sanitizeOutputSchema(format.json_schema.schema);
}

function jsonObjectInstruction(format: ResponseFormat | undefined): WireTextBlock[] {
  const wantsObject = format?.type === 'json_object' || (format?.type === 'json_schema' && !format.json_schema?.schema);
  return wantsObject ? [{ type: 'text', text: JSON_OBJECT_INSTRUCTION }] : [];
}
