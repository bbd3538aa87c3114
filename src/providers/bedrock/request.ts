// Canonical request → Converse / ConverseStream.
// https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html
import { DEFAULT_MAX_OUTPUT_TOKENS } from '../registry.js';
import type { BuildOptions, CallTarget, ChatRequest, UpstreamRequest } from '../types.js';
import { deepMerge } from '../../reasoning/index.js';
import { authHeaders, modelUrl } from './endpoint.js';
import { convertMessages, withoutToolBlocks } from './messages.js';
import { outputTokenCap } from './models.js';
import { planReasoning, type ReasoningPlan } from './reasoning.js';
import type { ConverseRequest, InferenceConfig, OutputConfig, ToolChoice, ToolSpec } from './wire.js';

// Converse has no schema-less JSON mode; json_object is asked for in the system prompt.
export const JSON_OBJECT_INSTRUCTION = 'Respond with a single valid JSON object and nothing else.';

function toolConfig(request: ChatRequest): ConverseRequest['toolConfig'] {
  // Converse has no "none": not offering the tools is how the model is kept from calling them.
  if (!request.tools?.length || request.tool_choice === 'none') return undefined;
  const tools: ToolSpec[] = request.tools.map((tool) => ({
    toolSpec: {
      name: tool.function.name,
      ...(tool.function.description ? { description: tool.function.description } : {}),
      inputSchema: { json: tool.function.parameters ?? { type: 'object', properties: {} } },
    },
  }));
  const choice = request.tool_choice;
  let toolChoice: ToolChoice | undefined;
  if (choice === 'auto') toolChoice = { auto: {} };
  else if (choice === 'required') toolChoice = { any: {} };
  else if (choice && typeof choice === 'object') toolChoice = { tool: { name: choice.function.name } };
  return { tools, ...(toolChoice ? { toolChoice } : {}) };
}

function outputConfig(request: ChatRequest): OutputConfig | undefined {
  const format = request.response_format;
  if (format?.type !== 'json_schema' || !format.json_schema?.schema) return undefined;
  const { name, description, schema } = format.json_schema;
  return {
    textFormat: {
      type: 'json_schema',
      structure: { jsonSchema: { schema: JSON.stringify(schema), ...(name ? { name } : {}), ...(description ? { description } : {}) } },
    },
  };
}

function inferenceConfig(request: ChatRequest, target: CallTarget, plan: ReasoningPlan): InferenceConfig {
  let maxTokens = request.max_completion_tokens ?? request.max_tokens ?? target.settings.maxOutputTokens ?? undefined;
  if (plan.thinkingBudget !== null) {
    maxTokens = (maxTokens ?? DEFAULT_MAX_OUTPUT_TOKENS) + plan.thinkingBudget;
    maxTokens = Math.min(maxTokens, outputTokenCap(target.model) ?? maxTokens);
  }
  const requested = request.temperature ?? target.settings.temperature ?? undefined;
  // OpenAI allows 0–2; Converse models take 0–1.
  const temperature = requested === undefined ? undefined : Math.min(Math.max(requested, 0), 1);
  const stop = request.stop === undefined ? undefined : Array.isArray(request.stop) ? request.stop : [request.stop];
  const config: InferenceConfig = {};
  if (maxTokens !== undefined) config.maxTokens = maxTokens;
  // Claude with thinking rejects sampling parameters.
  if (!plan.claudeThinking && temperature !== undefined) config.temperature = temperature;
  if (!plan.claudeThinking && request.top_p !== undefined) config.topP = request.top_p;
  if (stop?.length) config.stopSequences = stop;
  return config;
}

/** Claude rejects thinking with a forced tool choice; the caller's explicit choice wins. */
function withoutThinking(plan: ReasoningPlan): ReasoningPlan {
  const { thinking: _dropped, ...rest } = plan.additionalFields;
  return { ...plan, additionalFields: rest, thinkingBudget: null, claudeThinking: false };
}

export function buildConverseBody(request: ChatRequest, target: CallTarget): ConverseRequest {
  const converted = convertMessages(request.messages);
  const tools = toolConfig(request);
  let plan = planReasoning(request, target);
  if (plan.claudeThinking && tools?.toolChoice && !('auto' in tools.toolChoice)) plan = withoutThinking(plan);

  const system = [...converted.system];
  if (request.response_format?.type === 'json_object') system.push({ text: JSON_OBJECT_INSTRUCTION });
  const output = outputConfig(request);
  const config = inferenceConfig(request, target, plan);

  const body: ConverseRequest = {
    messages: tools || !converted.hasToolBlocks ? converted.messages : withoutToolBlocks(converted.messages),
    ...(system.length ? { system } : {}),
    ...(Object.keys(config).length ? { inferenceConfig: config } : {}),
    ...(tools ? { toolConfig: tools } : {}),
    ...(output ? { outputConfig: output } : {}),
    ...(Object.keys(plan.additionalFields).length ? { additionalModelRequestFields: plan.additionalFields } : {}),
  };
  return Object.keys(plan.bodyExtras).length ? (deepMerge(body, plan.bodyExtras) as ConverseRequest) : body;
}

export function buildChatRequest(request: ChatRequest, target: CallTarget, options: BuildOptions): UpstreamRequest {
  const url = modelUrl(target, options.stream ? 'converse-stream' : 'converse');
  const body = JSON.stringify(buildConverseBody(request, target));
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: options.stream ? 'application/vnd.amazon.eventstream' : 'application/json',
  };
  return { method: 'POST', url, headers: { ...headers, ...authHeaders(target, { method: 'POST', url, headers, body }, options.now) }, body };
}
