// Canonical request → `models.generateContent` / `models.streamGenerateContent`
// (ai.google.dev/api/generate-content). Gemini's wire is camelCase, the same style as
// the custom reasoning override, so the override is merged without renaming.
import { deepMerge, isPlainObject, resolveReasoning } from '../../reasoning/index.js';
import { getProvider } from '../registry.js';
import type { BuildOptions, CallTarget, ChatRequest, ChatTool, ToolChoice, UpstreamRequest } from '../types.js';
import { convertMessages } from './messages.js';
import { requiresThoughtSignatures, thinkingConfigFor } from './model-rules.js';
import { toGeminiParameters, toGeminiSchema } from './schema.js';
import type { GeminiGenerationConfig, GeminiRequest, GeminiToolConfig } from './wire.js';

/** Override keys that belong at the top of GenerateContentRequest; every other key is a generationConfig option. */
const TOP_LEVEL_OVERRIDE_KEYS = new Set(['safetySettings', 'cachedContent', 'toolConfig', 'serviceTier']);

/** `{base}/v1beta`, tolerating a base URL that already names the API version. */
export function apiRoot(baseUrl: string): string {
  const trimmed = baseUrl.replace(/\/+$/, '');
  return /\/v1(beta\d*)?$/.test(trimmed) ? trimmed : `${trimmed}/v1beta`;
}

/** `models/{id}` (or a `tunedModels/…` name as given), each segment URL-encoded. */
export function modelPath(model: string): string {
  const name = model.includes('/') ? model : `models/${model}`;
  return name.split('/').map(encodeURIComponent).join('/');
}

export function geminiHeaders(target: CallTarget): Record<string, string> {
  const headers: Record<string, string> = {};
  if (target.apiKey) headers['x-goog-api-key'] = target.apiKey.reveal();
  return headers;
}

function toolsOf(tools: ChatTool[] | undefined): GeminiRequest['tools'] {
  if (!tools || tools.length === 0) return undefined;
  const functionDeclarations = tools.map((tool) => {
    const parameters = toGeminiParameters(tool.function.parameters);
    return {
      name: tool.function.name,
      ...(tool.function.description ? { description: tool.function.description } : {}),
      ...(parameters ? { parameters } : {}),
    };
  });
  return [{ functionDeclarations }];
}

function toolConfigOf(choice: ToolChoice | undefined): GeminiToolConfig | undefined {
  if (choice === undefined) return undefined;
  if (choice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.function.name] } };
}

function generationConfigOf(request: ChatRequest, target: CallTarget): GeminiGenerationConfig {
  const config: GeminiGenerationConfig = {};
  const maxTokens = request.max_completion_tokens ?? request.max_tokens ?? target.settings.maxOutputTokens;
  if (maxTokens !== undefined && maxTokens !== null) config.maxOutputTokens = maxTokens;
  const temperature = request.temperature ?? target.settings.temperature;
  if (temperature !== undefined && temperature !== null) config.temperature = temperature;
  if (request.top_p !== undefined) config.topP = request.top_p;
  if (request.stop !== undefined) config.stopSequences = Array.isArray(request.stop) ? request.stop : [request.stop];
  if (request.seed !== undefined) config.seed = request.seed;

  const format = request.response_format;
  if (format?.type === 'json_object' || format?.type === 'json_schema') config.responseMimeType = 'application/json';
  if (format?.type === 'json_schema' && format.json_schema?.schema) config.responseSchema = toGeminiSchema(format.json_schema.schema);
  return config;
}

/** The custom override REPLACES the preset; its generation options merge into generationConfig. */
function applyReasoning(body: GeminiRequest, request: ChatRequest, target: CallTarget): GeminiRequest {
  const { preset, custom } = resolveReasoning(target.settings.reasoning, getProvider(target.provider).namespace, request.reasoning_effort);
  const generationConfig: GeminiGenerationConfig = { ...body.generationConfig };
  if (preset) {
    const thinkingConfig = thinkingConfigFor(target.model, preset);
    if (thinkingConfig) generationConfig.thinkingConfig = thinkingConfig;
    return { ...body, generationConfig };
  }
  if (!custom) return { ...body, generationConfig };

  let top: Record<string, unknown> = {};
  let generation: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(custom)) {
    if (TOP_LEVEL_OVERRIDE_KEYS.has(key)) top[key] = value;
    else if (key === 'generationConfig' && isPlainObject(value)) generation = deepMerge(generation, value);
    else generation[key] = value;
  }
  top = deepMerge(body as Record<string, unknown>, top);
  return { ...(top as GeminiRequest), generationConfig: deepMerge(generationConfig, generation) };
}

export function buildGeminiBody(request: ChatRequest, target: CallTarget): GeminiRequest {
  const { systemInstruction, contents } = convertMessages(request.messages, {
    needsSignature: requiresThoughtSignatures(target.model),
  });
  const tools = toolsOf(request.tools);
  const toolConfig = tools ? toolConfigOf(request.tool_choice) : undefined;
  const body: GeminiRequest = {
    contents,
    ...(systemInstruction ? { systemInstruction } : {}),
    ...(tools ? { tools } : {}),
    ...(toolConfig ? { toolConfig } : {}),
    generationConfig: generationConfigOf(request, target),
  };
  const withReasoning = applyReasoning(body, request, target);
  if (withReasoning.generationConfig && Object.keys(withReasoning.generationConfig).length === 0) delete withReasoning.generationConfig;
  return withReasoning;
}

export function buildChatRequest(request: ChatRequest, target: CallTarget, options: BuildOptions): UpstreamRequest {
  const method = options.stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
  return {
    method: 'POST',
    url: `${apiRoot(target.baseUrl)}/${modelPath(target.model)}:${method}`,
    headers: {
      'content-type': 'application/json',
      ...(options.stream ? { accept: 'text/event-stream' } : {}),
      ...geminiHeaders(target),
    },
    body: JSON.stringify(buildGeminiBody(request, target)),
  };
}
