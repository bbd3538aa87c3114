// One place per fact: every provider's id, wire family, default base URL, plans,
// concurrency defaults, reasoning style and credential fields live here, nowhere else.
// OpenAI-compatible vendors are rows of data, not folders.
import type { ProviderId, WireFamily } from './types.js';

export interface PlanInfo {
  id: string;
  name: string;
  baseUrl: string;
  maxConcurrentRequests: number | null;
}

export interface CredentialField {
  name: string;
  secret: boolean;
  required: boolean;
  description: string;
}

/**
 * How reasoning presets map to the wire:
 * - `openai_effort`: `reasoning_effort` (OpenAI, Fireworks, xAI, Ollama…)
 * - `anthropic_adaptive`: `thinking: {type: "adaptive"}` + `output_config.effort`
 * - `gemini_thinking`: `generationConfig.thinkingConfig`
 * - `openrouter_reasoning`: `reasoning: {effort}` / `{enabled: false}`
 * - `thinking_toggle`: `thinking: {type: "enabled"|"disabled"}` (GLM, Kimi, DeepSeek)
 * - `qwen_thinking`: `enable_thinking` (+ `thinking_budget`)
 * - `none`: the provider has no reasoning switch; presets are not sent
 */
export type ReasoningStyle =
  | 'openai_effort'
  | 'anthropic_adaptive'
  | 'gemini_thinking'
  | 'openrouter_reasoning'
  | 'thinking_toggle'
  | 'qwen_thinking'
  | 'cohere_thinking'
  | 'bedrock_converse'
  | 'none';

/** The key a custom reasoning override is wrapped under (the AI SDK's providerOptions names). */
export type OptionsNamespace =
  | 'openai'
  | 'anthropic'
  | 'google'
  | 'openrouter'
  | 'openaiCompatible'
  | 'azure'
  | 'bedrock'
  | 'cohere';

export const OPTIONS_NAMESPACES: readonly OptionsNamespace[] = [
  'openai',
  'anthropic',
  'google',
  'openrouter',
  'openaiCompatible',
  'azure',
  'bedrock',
  'cohere',
];

/** How the key is proven without inference. */
export type ProbeStyle = 'models' | 'openrouter_key' | 'none';

export interface ProviderInfo {
  id: ProviderId;
  name: string;
  family: WireFamily;
  defaultBaseUrl: string | null;
  baseUrlRequired: boolean;
  reasoning: ReasoningStyle;
  namespace: OptionsNamespace;
  plans: PlanInfo[];
  /** Fields beyond `apiKey` (issue: providers that need more than one field). */
  credentials: CredentialField[];
  /** Whether `apiKey` is required (false for keyless local servers such as Ollama). */
  apiKeyRequired: boolean;
  probe: ProbeStyle;
  /** The vendor wants `max_completion_tokens` instead of `max_tokens`. */
  prefersMaxCompletionTokens?: boolean;
  /** Wire quirks read by the openai-family adapter (src/providers/openai). */
  openaiQuirks?: OpenAiQuirks;
  docs: string;
}

/**
 * What an OpenAI-compatible vendor does differently, as data (README in
 * src/providers/openai lists the source of each). Regex fields are sources matched
 * against the configured model id.
 */
export interface OpenAiQuirks {
  /** How `tool_choice: "required"` is spelled (Mistral: `any`). */
  toolChoiceRequiredAs?: string;
  /** The wire name of `seed` (Mistral: `random_seed`). */
  seedField?: string;
  /** Canonical fields the vendor rejects, never sent (Mistral forbids unknown fields). */
  dropFields?: readonly string[];
  /** Usage arrives in every stream unasked and `stream_options` is rejected (Mistral). */
  rejectsStreamOptions?: boolean;
  /** Keeps the `developer` role (OpenAI); other vendors get `system`. */
  acceptsDeveloperRole?: boolean;
  /** Wire name for an inbound assistant `reasoning_content` (Cerebras: `reasoning`); null drops it. Default: unchanged. */
  assistantReasoningField?: string | null;
  /** Tool call ids must match ^[a-zA-Z0-9]{9}$ (Mistral). */
  toolCallIdsAlnum9?: boolean;
  /** `reasoning_effort` sent for the `off` preset (Ollama: `none`); unset: omitted. */
  offEffort?: string;
  /** Models that take `reasoning_effort`; others get no reasoning parameter. Unset: every model. */
  effortModels?: string;
  /** Models that reject temperature/top_p while reasoning_effort is sent. */
  samplingRejectedWhileReasoning?: boolean;
  /** Models whose sampling parameters the platform fixes (temperature/top_p are not sent). */
  fixedSamplingModels?: string;
  /** Thinking works on streamed calls only (Qwen): non-streamed calls send thinking off. */
  thinkingRequiresStream?: boolean;
  /** Probe path resolved against `${baseUrl}/` (`../x` climbs one segment). Default `models`. */
  probePath?: string;
  /** The probe's listing is not the chat model list (Perplexity): it proves the key only. */
  probeListsChatModels?: boolean;
  /** Query parameter carrying the model id on the probe (Cloudflare `search`). */
  probeSearchParam?: string;
}

const API_KEY_ONLY: CredentialField[] = [];

function compatible(
  id: ProviderId,
  name: string,
  defaultBaseUrl: string | null,
  extra: Partial<ProviderInfo> & { docs: string },
): ProviderInfo {
  return {
    id,
    name,
    family: 'openai',
    defaultBaseUrl,
    baseUrlRequired: defaultBaseUrl === null,
    reasoning: 'none',
    namespace: 'openaiCompatible',
    plans: [],
    credentials: API_KEY_ONLY,
    apiKeyRequired: true,
    probe: 'models',
    ...extra,
  };
}

export const PROVIDERS: readonly ProviderInfo[] = [
  {
    id: 'openai',
    name: 'OpenAI',
    family: 'openai',
    defaultBaseUrl: 'https://api.openai.com/v1',
    baseUrlRequired: false,
    reasoning: 'openai_effort',
    namespace: 'openai',
    plans: [],
    credentials: API_KEY_ONLY,
    apiKeyRequired: true,
    probe: 'models',
    prefersMaxCompletionTokens: true,
    openaiQuirks: {
      acceptsDeveloperRole: true,
      assistantReasoningField: null,
      effortModels: '^(o\\d|gpt-5(?!-chat)|codex)',
      samplingRejectedWhileReasoning: true,
    },
    docs: 'https://platform.openai.com/docs/api-reference/chat',
  },
  {
    id: 'anthropic',
    name: 'Anthropic',
    family: 'anthropic',
    defaultBaseUrl: 'https://api.anthropic.com',
    baseUrlRequired: false,
    reasoning: 'anthropic_adaptive',
    namespace: 'anthropic',
    plans: [],
    credentials: API_KEY_ONLY,
    apiKeyRequired: true,
    probe: 'models',
    docs: 'https://docs.anthropic.com/en/api/messages',
  },
  {
    id: 'google',
    name: 'Google Gemini',
    family: 'gemini',
    defaultBaseUrl: 'https://generativelanguage.googleapis.com',
    baseUrlRequired: false,
    reasoning: 'gemini_thinking',
    namespace: 'google',
    plans: [],
    credentials: API_KEY_ONLY,
    apiKeyRequired: true,
    probe: 'models',
    docs: 'https://ai.google.dev/api/generate-content',
  },
  {
    id: 'openrouter',
    name: 'OpenRouter',
    family: 'openrouter',
    defaultBaseUrl: 'https://openrouter.ai/api/v1',
    baseUrlRequired: false,
    reasoning: 'openrouter_reasoning',
    namespace: 'openrouter',
    plans: [],
    credentials: API_KEY_ONLY,
    apiKeyRequired: true,
    probe: 'openrouter_key',
    openaiQuirks: { assistantReasoningField: 'reasoning' },
    docs: 'https://openrouter.ai/docs/api-reference/chat-completion',
  },
  compatible('novita', 'Novita AI', 'https://api.novita.ai/v3/openai', {
    docs: 'https://novita.ai/docs/guides/llm-api',
  }),
  compatible('openai_compatible', 'OpenAI-compatible (custom base URL)', null, {
    reasoning: 'openai_effort',
    docs: 'https://platform.openai.com/docs/api-reference/chat',
  }),
  compatible('zai', 'Z.ai GLM', 'https://api.z.ai/api/paas/v4', {
    reasoning: 'thinking_toggle',
    plans: [
      { id: 'developer', name: 'GLM Developer API', baseUrl: 'https://api.z.ai/api/paas/v4/', maxConcurrentRequests: null },
      { id: 'coding', name: 'GLM Coding Plan', baseUrl: 'https://api.z.ai/api/coding/paas/v4', maxConcurrentRequests: 1 },
    ],
    docs: 'https://docs.z.ai/api-reference/llm/chat-completion',
  }),
  compatible('moonshot', 'Moonshot Kimi', 'https://api.moonshot.ai/v1', {
    reasoning: 'thinking_toggle',
    plans: [
      { id: 'developer', name: 'Kimi Developer API', baseUrl: 'https://api.moonshot.ai/v1', maxConcurrentRequests: null },
      { id: 'code', name: 'Kimi Code Plan', baseUrl: 'https://api.kimi.com/coding/v1', maxConcurrentRequests: 30 },
    ],
    openaiQuirks: { fixedSamplingModels: '^kimi-k' },
    docs: 'https://platform.moonshot.ai/docs/api/chat',
  }),
  compatible('glm', 'GLM (BigModel)', 'https://open.bigmodel.cn/api/paas/v4', {
    reasoning: 'thinking_toggle',
    docs: 'https://docs.bigmodel.cn/api-reference',
  }),
  compatible('mistral', 'Mistral', 'https://api.mistral.ai/v1', {
    openaiQuirks: {
      toolChoiceRequiredAs: 'any',
      seedField: 'random_seed',
      dropFields: ['user'],
      rejectsStreamOptions: true,
      assistantReasoningField: null,
      toolCallIdsAlnum9: true,
    },
    docs: 'https://docs.mistral.ai/api/',
  }),
  compatible('deepseek', 'DeepSeek', 'https://api.deepseek.com', {
    reasoning: 'thinking_toggle',
    docs: 'https://api-docs.deepseek.com/api/create-chat-completion',
  }),
  compatible('qwen', 'Qwen (DashScope)', 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1', {
    reasoning: 'qwen_thinking',
    openaiQuirks: { thinkingRequiresStream: true },
    docs: 'https://www.alibabacloud.com/help/en/model-studio/compatibility-of-openai-with-dashscope',
  }),
  compatible('xai', 'xAI Grok', 'https://api.x.ai/v1', {
    reasoning: 'openai_effort',
    prefersMaxCompletionTokens: true,
    docs: 'https://docs.x.ai/docs/api-reference',
  }),
  compatible('together', 'Together AI', 'https://api.together.xyz/v1', {
    docs: 'https://docs.together.ai/reference/chat-completions-1',
  }),
  compatible('fireworks', 'Fireworks AI', 'https://api.fireworks.ai/inference/v1', {
    reasoning: 'openai_effort',
    docs: 'https://docs.fireworks.ai/api-reference/post-chatcompletions',
  }),
  compatible('groq', 'Groq', 'https://api.groq.com/openai/v1', {
    docs: 'https://console.groq.com/docs/api-reference',
  }),
  compatible('cerebras', 'Cerebras', 'https://api.cerebras.ai/v1', {
    prefersMaxCompletionTokens: true,
    openaiQuirks: { assistantReasoningField: 'reasoning' },
    docs: 'https://inference-docs.cerebras.ai/api-reference/chat-completions',
  }),
  compatible('perplexity', 'Perplexity', 'https://api.perplexity.ai', {
    probe: 'none',
    openaiQuirks: { probePath: 'router/v1/models', probeListsChatModels: false },
    docs: 'https://docs.perplexity.ai/api-reference/chat-completions-post',
  }),
  compatible('huggingface', 'Hugging Face router', 'https://router.huggingface.co/v1', {
    docs: 'https://huggingface.co/docs/inference-providers/index',
  }),
  compatible('litellm', 'LiteLLM proxy', null, {
    reasoning: 'openai_effort',
    docs: 'https://docs.litellm.ai/docs/proxy/user_keys',
  }),
  compatible('ollama', 'Ollama', 'http://localhost:11434/v1', {
    reasoning: 'openai_effort',
    apiKeyRequired: false,
    openaiQuirks: { offEffort: 'none' },
    docs: 'https://github.com/ollama/ollama/blob/main/docs/openai.md',
  }),
  compatible('vllm', 'vLLM', 'http://localhost:8000/v1', {
    apiKeyRequired: false,
    docs: 'https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html',
  }),
  {
    id: 'azure_openai',
    name: 'Azure OpenAI',
    family: 'azure',
    defaultBaseUrl: null,
    baseUrlRequired: false,
    reasoning: 'openai_effort',
    namespace: 'azure',
    plans: [],
    credentials: [
      { name: 'resourceName', secret: false, required: false, description: 'Azure resource name ({resource}.openai.azure.com); or give endpoint/baseUrl' },
      { name: 'endpoint', secret: false, required: false, description: 'Full resource endpoint, e.g. https://my-resource.openai.azure.com' },
      { name: 'deployment', secret: false, required: false, description: 'Deployment id for the deployment-style URL; without it the v1 surface is used' },
      { name: 'apiVersion', secret: false, required: false, description: 'api-version for the deployment-style URL, e.g. 2024-10-21' },
    ],
    apiKeyRequired: true,
    probe: 'models',
    prefersMaxCompletionTokens: true,
    docs: 'https://learn.microsoft.com/en-us/azure/ai-foundry/openai/reference',
  },
  {
    id: 'bedrock',
    name: 'AWS Bedrock',
    family: 'bedrock',
    defaultBaseUrl: null,
    baseUrlRequired: false,
    reasoning: 'bedrock_converse',
    namespace: 'bedrock',
    plans: [],
    credentials: [
      { name: 'accessKeyId', secret: true, required: true, description: 'AWS access key id' },
      { name: 'secretAccessKey', secret: true, required: true, description: 'AWS secret access key' },
      { name: 'sessionToken', secret: true, required: false, description: 'Session token for temporary credentials' },
      { name: 'region', secret: false, required: true, description: 'AWS region, e.g. us-east-1' },
    ],
    apiKeyRequired: false,
    probe: 'models',
    docs: 'https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html',
  },
  {
    id: 'cohere',
    name: 'Cohere',
    family: 'cohere',
    defaultBaseUrl: 'https://api.cohere.com',
    baseUrlRequired: false,
    reasoning: 'cohere_thinking',
    namespace: 'cohere',
    plans: [],
    credentials: API_KEY_ONLY,
    apiKeyRequired: true,
    probe: 'models',
    docs: 'https://docs.cohere.com/reference/chat',
  },
  compatible('cloudflare_workers_ai', 'Cloudflare Workers AI', null, {
    baseUrlRequired: false,
    credentials: [{ name: 'accountId', secret: false, required: true, description: 'Cloudflare account id' }],
    openaiQuirks: { probePath: '../models/search', probeSearchParam: 'search' },
    docs: 'https://developers.cloudflare.com/workers-ai/configuration/open-ai-compatibility/',
  }),
  compatible('hf_inference_endpoints', 'Hugging Face Inference Endpoints', null, {
    docs: 'https://huggingface.co/docs/inference-endpoints/index',
  }),
];

const BY_ID = new Map<string, ProviderInfo>(PROVIDERS.map((p) => [p.id, p]));

export const PROVIDER_IDS: readonly ProviderId[] = PROVIDERS.map((p) => p.id);

export function findProvider(id: string): ProviderInfo | undefined {
  return BY_ID.get(id);
}

export function getProvider(id: ProviderId): ProviderInfo {
  const info = BY_ID.get(id);
  if (!info) throw new Error(`unknown provider ${id}`);
  return info;
}

export function findPlan(provider: ProviderInfo, planId: string): PlanInfo | undefined {
  return provider.plans.find((p) => p.id === planId);
}

/** Base URLs are stored and compared without a trailing slash; paths are appended with `/`. */
export function normaliseBaseUrl(url: string): string {
  return url.trim().replace(/\/+$/, '');
}

export interface CuratedModel {
  id: string;
  label: string;
  provider: ProviderId;
  model: string;
  contextWindow: number;
  defaults: { reasoning: 'medium'; maxOutputTokens: number };
  plans: string[];
}

export const CURATED_MODELS: readonly CuratedModel[] = [
  { id: 'claude-sonnet-4-6', label: 'Claude Sonnet 4.6', provider: 'anthropic', model: 'claude-sonnet-4-6', contextWindow: 200_000, defaults: { reasoning: 'medium', maxOutputTokens: 16_000 }, plans: [] },
  { id: 'claude-opus-4-7', label: 'Claude Opus 4.7', provider: 'anthropic', model: 'claude-opus-4-7', contextWindow: 1_000_000, defaults: { reasoning: 'medium', maxOutputTokens: 16_000 }, plans: [] },
  { id: 'gemini-3.1-pro-customtools', label: 'Gemini 3.1 Pro (custom tools)', provider: 'google', model: 'gemini-3.1-pro-preview-customtools', contextWindow: 1_000_000, defaults: { reasoning: 'medium', maxOutputTokens: 16_000 }, plans: [] },
  { id: 'gpt-5.4', label: 'GPT-5.4', provider: 'openai', model: 'gpt-5.4', contextWindow: 400_000, defaults: { reasoning: 'medium', maxOutputTokens: 16_000 }, plans: [] },
  { id: 'kimi-k2.6', label: 'Kimi K2.6', provider: 'moonshot', model: 'kimi-k2.6', contextWindow: 256_000, defaults: { reasoning: 'medium', maxOutputTokens: 16_000 }, plans: ['developer', 'code'] },
  { id: 'glm-5.1', label: 'GLM 5.1', provider: 'zai', model: 'glm-5.1', contextWindow: 200_000, defaults: { reasoning: 'medium', maxOutputTokens: 16_000 }, plans: ['developer', 'coding'] },
];

/** Default output budget when neither the request nor the slot sets one (Anthropic requires max_tokens). */
export const DEFAULT_MAX_OUTPUT_TOKENS = 16_000;
