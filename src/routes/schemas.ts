// TypeBox schemas of every route: they validate input, type the handlers and feed
// the OpenAPI document.
import { Type, type Static } from '@sinclair/typebox';

export const ErrorSchema = Type.Object(
  {
    error: Type.Object(
      {
        message: Type.String(),
        type: Type.String(),
        code: Type.String(),
        param: Type.Union([Type.String(), Type.Null()]),
      },
      { additionalProperties: true },
    ),
  },
  { $id: 'Error', description: 'Every error, on every route (OpenAI shape).' },
);

const ErrorRef = Type.Ref('Error');

export function errors(...statuses: number[]): Record<number, typeof ErrorRef> {
  return Object.fromEntries(statuses.map((s) => [s, ErrorRef]));
}

// ----------------------------------------------------------------- chat

const TextPart = Type.Object({ type: Type.Literal('text'), text: Type.String() }, { additionalProperties: true });
const ImagePart = Type.Object(
  {
    type: Type.Literal('image_url'),
    image_url: Type.Object({ url: Type.String({ maxLength: 20_000_000 }), detail: Type.Optional(Type.String()) }, { additionalProperties: true }),
  },
  { additionalProperties: true },
);

const ToolCall = Type.Object(
  {
    id: Type.String({ maxLength: 512 }),
    type: Type.Literal('function'),
    function: Type.Object({ name: Type.String({ maxLength: 256 }), arguments: Type.String() }, { additionalProperties: true }),
  },
  { additionalProperties: true },
);

const ChatMessage = Type.Object(
  {
    role: Type.Union([Type.Literal('system'), Type.Literal('developer'), Type.Literal('user'), Type.Literal('assistant'), Type.Literal('tool')]),
    content: Type.Optional(Type.Union([Type.String(), Type.Array(Type.Union([TextPart, ImagePart]), { maxItems: 1000 }), Type.Null()])),
    name: Type.Optional(Type.String({ maxLength: 256 })),
    tool_calls: Type.Optional(Type.Array(ToolCall, { maxItems: 1000 })),
    tool_call_id: Type.Optional(Type.String({ maxLength: 512 })),
    reasoning_content: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    thinking_blocks: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true }), { maxItems: 1000 })),
  },
  { additionalProperties: true },
);

const Tool = Type.Object(
  {
    type: Type.Literal('function'),
    function: Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 256 }),
        description: Type.Optional(Type.String()),
        parameters: Type.Optional(Type.Object({}, { additionalProperties: true })),
        strict: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
      },
      { additionalProperties: true },
    ),
  },
  { additionalProperties: true },
);

export const ChatRequestSchema = Type.Object(
  {
    model: Type.Optional(Type.String({ description: 'Accepted and ignored: the org configuration names the model.' })),
    messages: Type.Array(ChatMessage, { minItems: 1, maxItems: 10_000 }),
    tools: Type.Optional(Type.Array(Tool, { maxItems: 512 })),
    tool_choice: Type.Optional(
      Type.Union([
        Type.Literal('none'),
        Type.Literal('auto'),
        Type.Literal('required'),
        Type.Object({ type: Type.Literal('function'), function: Type.Object({ name: Type.String() }) }, { additionalProperties: true }),
      ]),
    ),
    parallel_tool_calls: Type.Optional(Type.Boolean()),
    response_format: Type.Optional(
      Type.Object(
        {
          type: Type.Union([Type.Literal('text'), Type.Literal('json_object'), Type.Literal('json_schema')]),
          json_schema: Type.Optional(Type.Object({ name: Type.String() }, { additionalProperties: true })),
        },
        { additionalProperties: true },
      ),
    ),
    temperature: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: 2 }), Type.Null()])),
    top_p: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()])),
    max_tokens: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
    max_completion_tokens: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
    stop: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String(), { maxItems: 16 }), Type.Null()])),
    seed: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
    user: Type.Optional(Type.String({ maxLength: 512 })),
    reasoning_effort: Type.Optional(
      Type.Union([Type.Literal('none'), Type.Literal('minimal'), Type.Literal('low'), Type.Literal('medium'), Type.Literal('high')]),
    ),
    stream: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
    stream_options: Type.Optional(Type.Union([Type.Object({ include_usage: Type.Optional(Type.Boolean()) }, { additionalProperties: true }), Type.Null()])),
  },
  { additionalProperties: true, description: 'OpenAI Chat Completions request; unknown fields are ignored.' },
);

export const ChatCompletionSchema = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('chat.completion'),
    created: Type.Integer(),
    model: Type.String(),
    choices: Type.Array(Type.Object({}, { additionalProperties: true })),
    usage: Type.Optional(Type.Object({}, { additionalProperties: true })),
  },
  { additionalProperties: true, description: 'Non-streaming answer; with stream: true, a text/event-stream of chat.completion.chunk objects ending with data: [DONE].' },
);

export const OrgHeaderSchema = Type.Object(
  { 'x-org-id': Type.Optional(Type.String({ description: 'The organisation: ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' })) },
  { additionalProperties: true },
);

export const ModelListSchema = Type.Object({
  object: Type.Literal('list'),
  data: Type.Array(Type.Object({ id: Type.String(), object: Type.Literal('model'), created: Type.Integer(), owned_by: Type.String() })),
});

// ----------------------------------------------------------------- byok

export const OrgParams = Type.Object({ orgId: Type.String({ maxLength: 256 }) });
export const SlotParams = Type.Object({
  orgId: Type.String({ maxLength: 256 }),
  slot: Type.String({ maxLength: 64, description: 'main or fallback' }),
});

const ReasoningLevel = Type.Union([Type.Literal('off'), Type.Literal('low'), Type.Literal('medium'), Type.Literal('high'), Type.Literal('custom')]);

export const SettingsInputSchema = Type.Object(
  {
    temperature: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: 2 }), Type.Null()])),
    maxOutputTokens: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 1_000_000 }), Type.Null()])),
    reasoning: Type.Optional(
      Type.Union([
        Type.Object(
          {
            level: ReasoningLevel,
            custom: Type.Optional(Type.Unknown({ description: 'With level "custom": a JSON object (or a string of JSON) of provider options.' })),
          },
          { additionalProperties: false },
        ),
        Type.Null(),
      ]),
    ),
    maxConcurrentRequests: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 100_000 }), Type.Null()])),
    openrouter: Type.Optional(
      Type.Union([
        Type.Object(
          { order: Type.Optional(Type.Array(Type.String({ maxLength: 128 }), { maxItems: 64 })), allowFallbacks: Type.Optional(Type.Boolean()) },
          { additionalProperties: false },
        ),
        Type.Null(),
      ]),
    ),
  },
  { additionalProperties: false },
);

export const PutSlotSchema = Type.Object(
  {
    provider: Type.String({ minLength: 1, maxLength: 64 }),
    model: Type.String({ minLength: 1, maxLength: 256, pattern: '^[^\\s\\x00-\\x1f]+$' }),
    apiKey: Type.Optional(Type.String({ maxLength: 8192 })),
    credentials: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 8192 }), { maxProperties: 16 })),
    baseUrl: Type.Optional(Type.Union([Type.String({ maxLength: 2048 }), Type.Null()])),
    plan: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
    settings: Type.Optional(SettingsInputSchema),
    confirmOverride: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type PutSlotBody = Static<typeof PutSlotSchema>;

export const PatchSlotSchema = Type.Object(
  {
    model: Type.Optional(Type.String({ minLength: 1, maxLength: 256, pattern: '^[^\\s\\x00-\\x1f]+$' })),
    baseUrl: Type.Optional(Type.Union([Type.String({ maxLength: 2048 }), Type.Null()])),
    plan: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
    settings: Type.Optional(SettingsInputSchema),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const PutQuerySchema = Type.Object({ test: Type.Optional(Type.Boolean({ description: 'Test & save: probe first, store only if it passes.' })) });

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

export const SlotViewSchema = Type.Object(
  {
    provider: Type.String(),
    model: Type.String(),
    baseUrl: Nullable(Type.String()),
    plan: Nullable(Type.String()),
    settings: Type.Object({}, { additionalProperties: true }),
    key: Type.Object({ hint: Type.String(), fingerprint: Type.String(), updatedAt: Nullable(Type.String()) }),
    credentials: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
    status: Type.Union([Type.Literal('active'), Type.Literal('disabled'), Type.Literal('undecryptable')]),
    disabledReason: Nullable(Type.String()),
    disabledAt: Nullable(Type.String()),
    consecutiveAuthFailures: Type.Integer(),
    updatedAt: Nullable(Type.String()),
  },
  { $id: 'Slot' },
);

export const OrgStatusSchema = Type.Object({
  orgId: Type.String(),
  source: Type.Union([Type.Literal('org'), Type.Literal('env'), Type.Literal('none')]),
  main: Type.Union([Type.Ref('Slot'), Type.Null()]),
  fallback: Type.Union([Type.Ref('Slot'), Type.Null()]),
});

export const ProbeResultSchema = Type.Object({
  ok: Type.Boolean(),
  status: Type.String(),
  message: Type.String(),
  httpStatus: Type.Union([Type.Integer(), Type.Null()]),
  latencyMs: Type.Integer(),
  models: Type.Union([Type.Array(Type.String()), Type.Null()]),
  modelFound: Type.Union([Type.Boolean(), Type.Null()]),
});

export const ProbeRequestSchema = Type.Union([
  Type.Object(
    {
      provider: Type.String({ minLength: 1, maxLength: 64 }),
      apiKey: Type.Optional(Type.String({ maxLength: 8192 })),
      credentials: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 8192 }), { maxProperties: 16 })),
      baseUrl: Type.Optional(Type.Union([Type.String({ maxLength: 2048 }), Type.Null()])),
      plan: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
      // As in PUT (empty allowed: probe a key without a model); the model may go into a URL path.
      model: Type.Optional(Type.String({ maxLength: 256, pattern: '^[^\\s\\x00-\\x1f]*$' })),
      settings: Type.Optional(SettingsInputSchema),
      mode: Type.Optional(Type.Union([Type.Literal('metadata'), Type.Literal('completion')])),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      orgId: Type.String({ maxLength: 256 }),
      slot: Type.String({ maxLength: 64 }),
      mode: Type.Optional(Type.Union([Type.Literal('metadata'), Type.Literal('completion')])),
    },
    { additionalProperties: false },
  ),
]);

export const AuditQuerySchema = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  before: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Page: events with an id below this one.' })),
});

export const AuditListSchema = Type.Object({
  data: Type.Array(
    Type.Object({
      id: Type.Integer(),
      orgId: Type.String(),
      slot: Type.Union([Type.String(), Type.Null()]),
      action: Type.String(),
      actor: Type.String(),
      at: Type.String(),
      detail: Type.Object({}, { additionalProperties: true }),
    }),
  ),
});

export const UsageQuerySchema = Type.Object({
  since: Type.Optional(Type.String({ format: 'date-time', description: 'ISO 8601 time: rows at or after it.' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 100 })),
});

export const UsageListSchema = Type.Object({
  orgId: Type.String(),
  totals: Type.Object({}, { additionalProperties: true }),
  data: Type.Array(Type.Object({}, { additionalProperties: true })),
});
