// What the OpenAPI document says beyond the route schemas: who may call what (bearer
// tokens by route family), the error codes each route can answer, the gateway's
// response headers and the SSE form of chat. Pure functions over the document that
// @fastify/swagger builds from the TypeBox schemas, plus the check that the document
// and the routes the app serves agree (used by test/openapi.test.ts and
// scripts/generate-openapi.ts).

// The document is plain JSON; openapi-types' unions make in-place enrichment noisy.
export type OpenApiDocument = Record<string, any>;

export interface ServedRoute {
  method: string;
  /** Fastify's form: `/byok/:orgId/:slot`. */
  url: string;
  /** The route's schema as registered (TypeBox), for comparing with the document. */
  schema?: Record<string, unknown>;
}

const ERROR_REF = { $ref: '#/components/schemas/Error' };

const AUTH = { 401: ['unauthorized'], 403: ['forbidden'] } as const;
/** Schema validation and body parsing, on every route that takes a JSON body. */
const BODY = { 400: ['invalid_request', 'invalid_json'], 413: ['payload_too_large'], 415: ['unsupported_media_type'] } as const;
/** Routes that read or write the configuration database (a cached org config keeps chat going without it). */
const STORAGE = { 503: ['storage_unavailable'] } as const;
/** Routes with an org id in the path: a segment past the router's limit never reaches them. */
const LONG_PATH = { 414: ['uri_too_long'] } as const;
const SLOT_INPUT = [
  'unknown_provider',
  'unknown_plan',
  'base_url_required',
  'invalid_base_url',
  'invalid_credentials',
  'invalid_api_key',
  'missing_api_key',
  'invalid_reasoning_override',
  'invalid_settings',
];

type ErrorTable = Record<number, readonly string[]>;

function merge(...tables: ErrorTable[]): ErrorTable {
  const out: Record<number, string[]> = {};
  for (const table of tables) {
    for (const [status, codes] of Object.entries(table)) {
      const list = (out[Number(status)] ??= []);
      for (const code of codes) if (!list.includes(code)) list.push(code);
    }
  }
  return out;
}

/**
 * The error codes each operation can answer, by status. Every `new ApiError(…)` code
 * in src must appear here (test/openapi.test.ts checks it); a new route needs a row.
 */
export const ERROR_CODES: Record<string, ErrorTable> = {
  'POST /v1/chat/completions': merge(AUTH, BODY, {
    400: ['invalid_org_id', 'upstream_bad_request'],
    401: ['upstream_auth_failed'],
    404: ['model_not_found'],
    409: ['byok_not_configured'],
    413: ['upstream_bad_request'],
    422: ['upstream_bad_request'],
    429: ['rate_limited'],
    501: ['provider_not_supported'],
    502: ['upstream_error'],
    503: ['key_undecryptable', 'storage_unavailable'],
    504: ['upstream_timeout'],
  }),
  'GET /v1/models': merge(AUTH, STORAGE, { 400: ['invalid_org_id'] }),
  'GET /byok/catalog': merge(AUTH),
  'POST /byok/test': merge(AUTH, BODY, STORAGE, {
    400: ['invalid_org_id', 'invalid_slot', ...SLOT_INPUT],
    404: ['slot_not_configured'],
    409: ['key_undecryptable'],
  }),
  'GET /byok/{orgId}': merge(AUTH, STORAGE, LONG_PATH, { 400: ['invalid_request', 'invalid_org_id'] }),
  'PUT /byok/{orgId}/{slot}': merge(AUTH, BODY, STORAGE, LONG_PATH, {
    400: ['invalid_org_id', 'invalid_slot', ...SLOT_INPUT],
    409: ['main_required', 'env_override_unconfirmed'],
    422: ['key_test_failed'],
  }),
  'PATCH /byok/{orgId}/{slot}': merge(AUTH, BODY, STORAGE, LONG_PATH, {
    400: ['invalid_org_id', 'invalid_slot', 'unknown_plan', 'base_url_required', 'invalid_base_url', 'invalid_reasoning_override', 'invalid_settings'],
    404: ['slot_not_configured'],
  }),
  'DELETE /byok/{orgId}/{slot}': merge(AUTH, STORAGE, LONG_PATH, {
    400: ['invalid_request', 'invalid_org_id', 'invalid_slot'],
    404: ['slot_not_configured'],
    409: ['fallback_requires_main'],
  }),
  'POST /byok/{orgId}/{slot}/enable': merge(AUTH, STORAGE, LONG_PATH, {
    400: ['invalid_request', 'invalid_org_id', 'invalid_slot'],
    404: ['slot_not_configured'],
  }),
  'GET /byok/{orgId}/audit': merge(AUTH, STORAGE, LONG_PATH, { 400: ['invalid_request', 'invalid_org_id'] }),
  'GET /byok/{orgId}/usage': merge(AUTH, STORAGE, LONG_PATH, { 400: ['invalid_request', 'invalid_org_id'] }),
};

/** Answered by any route: a failure the gateway did not expect. (An unknown path is `404 not_found`, said in the description.) */
const GLOBAL_ERRORS: ErrorTable = { 500: ['internal_error'], 503: ['shutting_down'] };

/** Success and special responses whose schema carries no description of its own. */
const RESPONSE_DESCRIPTIONS: Record<string, string> = {
  'GET /readyz 200': 'Ready: storage (and Redis, when configured) answered.',
  'GET /readyz 503': 'Not ready: `checks` names the failing part (storage or redis) and why.',
  'PUT /byok/{orgId}/{slot} 200': 'Replaced (an audit `rotate` when the key changed, else `update`).',
  'PUT /byok/{orgId}/{slot} 201': 'Created (audit `store`).',
  'DELETE /byok/{orgId}/{slot} 204': 'Removed: the key material is deleted, the audit trail stays.',
};
const DEFAULT_DESCRIPTIONS: Record<string, string> = { '200': 'OK.', '201': 'Created.', '204': 'No content.' };

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Payload too large',
  414: 'URI too long',
  415: 'Unsupported media type',
  422: 'Unprocessable',
  429: 'Rate limited',
  500: 'Internal error',
  501: 'Not implemented',
  502: 'Bad gateway',
  503: 'Unavailable',
  504: 'Gateway timeout',
};

const CODE_NOTES: Record<string, string> = {
  upstream_bad_request:
    "the provider refused the request as malformed; a 400/413/422 from Main is the caller's problem and is not failed over. Where the provider gave a code of its own, that code is passed through instead",
  rate_limited:
    'the provider rate limited the key or reports it out of quota (with Retry-After when it said when), or the key is at its maxConcurrentRequests limit and no permit freed up within QUEUE_WAIT_MS',
  upstream_auth_failed: "the provider rejected the org's stored key, or the key was soft-disabled after repeated 401/403 answers",
  key_undecryptable: 'the stored key no longer decrypts (its master key was removed from BYOK_MASTER_KEYS, or the row was altered): store it again',
  unauthorized: 'no bearer token, or an unknown one',
  forbidden: 'a valid token of the wrong kind: admin for /byok/*, service for /v1/*',
  not_found: 'no such route',
  shutting_down: 'this instance is shutting down and takes no new requests; retry (another instance answers)',
  storage_unavailable: 'the configuration database is unreachable and nothing was changed; retry shortly (Retry-After)',
  uri_too_long: 'a path segment is longer than an org id can be',
  invalid_request: 'the body, query or path does not match the schema; the message names the field',
  invalid_json: 'the body is not valid JSON',
  key_test_failed: 'with ?test=true the probe failed and nothing was stored; the probe result is in error.probe',
};

const GATEWAY_HEADERS = {
  'X-Gateway-Slot': { description: 'The slot that answered: `main` or `fallback`.', schema: { type: 'string', enum: ['main', 'fallback'] } },
  'X-Gateway-Provider': { description: 'The provider id that answered (see GET /byok/catalog).', schema: { type: 'string' } },
  'X-Gateway-Model': { description: "The model that answered (the slot's configured model; the request's `model` is ignored).", schema: { type: 'string' } },
  'X-Gateway-Failover-Reason': {
    description: 'Present when Main was skipped or failed and the Fallback answered.',
    schema: {
      type: 'string',
      enum: ['rate_limited', 'quota_exhausted', 'server_error', 'auth_failed', 'model_not_found', 'timeout', 'network_error', 'main_disabled', 'main_saturated'],
    },
  },
};
const REQUEST_ID_HEADER = { $ref: '#/components/headers/X-Request-Id' };
const RETRY_AFTER_HEADER = { description: 'Seconds to wait before retrying, when known.', schema: { type: 'integer', minimum: 1 } };

const SSE_EXAMPLE = [
  'data: {"id":"chatcmpl-…","object":"chat.completion.chunk","created":1767225600,"model":"claude-sonnet-4-6","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}',
  '',
  'data: {"id":"chatcmpl-…","object":"chat.completion.chunk","created":1767225600,"model":"claude-sonnet-4-6","choices":[{"index":0,"delta":{"content":"Hello"},"finish_reason":null}]}',
  '',
  'data: {"id":"chatcmpl-…","object":"chat.completion.chunk","created":1767225600,"model":"claude-sonnet-4-6","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}',
  '',
  'data: [DONE]',
  '',
  '',
].join('\n');

const CHUNK_SCHEMA = {
  type: 'object',
  description: 'One `data:` event of a streamed chat completion (OpenAI chat.completion.chunk).',
  required: ['id', 'object', 'created', 'model', 'choices'],
  properties: {
    id: { type: 'string' },
    object: { type: 'string', enum: ['chat.completion.chunk'] },
    created: { type: 'integer' },
    model: { type: 'string' },
    choices: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          index: { type: 'integer' },
          delta: {
            type: 'object',
            properties: {
              role: { type: 'string' },
              content: { type: ['string', 'null'] },
              reasoning_content: { type: ['string', 'null'], description: 'Reasoning text, from any provider that returns it.' },
              tool_calls: { type: 'array', items: { type: 'object', additionalProperties: true } },
            },
            additionalProperties: true,
          },
          finish_reason: { type: ['string', 'null'] },
        },
        additionalProperties: true,
      },
    },
    usage: { type: ['object', 'null'], additionalProperties: true, description: 'Only on the final chunk, with stream_options.include_usage.' },
  },
  additionalProperties: true,
};

export const API_DESCRIPTION = `OpenAI-compatible chat completions over each organisation's own provider keys (BYOK), with a Main and a Fallback slot per org.

**Authentication.** Every route except the operations routes (\`/healthz\`, \`/readyz\`, \`/metrics\`, \`/openapi.json\`, \`/docs\`) needs \`Authorization: Bearer <token>\`: an *admin* token (GATEWAY_ADMIN_TOKENS) for \`/byok/*\`, a *service* token (GATEWAY_SERVICE_TOKENS) for \`/v1/*\`. A missing or unknown token is \`401 unauthorized\`; a token of the wrong kind \`403 forbidden\`.

**Organisations.** \`/v1/*\` name the org with the \`X-Org-Id\` header; org ids match \`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$\` (else \`400 invalid_org_id\`).

**Errors.** Every error has the OpenAI shape \`{"error": {"message", "type", "code", "param"}}\`; each response lists the codes it can carry (also in \`x-error-codes\`). Bad input is never a 5xx. An unknown path or method is 404 \`not_found\`. Before any route, the HTTP layer answers a URL it cannot decode with 400 \`invalid_url\`, a request the HTTP parser refuses with 400 \`malformed_request\`, oversized headers with 431 \`headers_too_large\` and a request not received in time with 408 \`request_timeout\`, then closes the connection. A chat caller that hangs up before the answer is recorded as 499 \`client_closed_request\` in the usage log (the caller is gone).

**Headers.** Every response carries \`X-Request-Id\` (the caller's, when it sent a valid one). Chat answers add \`X-Gateway-Slot\`, \`X-Gateway-Provider\`, \`X-Gateway-Model\` and, after a failover, \`X-Gateway-Failover-Reason\`.`;

export const SECURITY_SCHEMES = {
  adminToken: {
    type: 'http',
    scheme: 'bearer',
    description: 'An admin (operations) token from GATEWAY_ADMIN_TOKENS (comma-separated, so a token can be rotated without downtime). May call /byok/*.',
  },
  serviceToken: {
    type: 'http',
    scheme: 'bearer',
    description: 'A service token from GATEWAY_SERVICE_TOKENS (comma-separated). May call /v1/*.',
  },
};

export const TAGS = [
  { name: 'chat', description: 'The OpenAI-compatible surface (service token, X-Org-Id).' },
  { name: 'byok', description: 'Provider keys and slot configuration per org (admin token).' },
  { name: 'ops', description: 'Health, readiness, metrics and this document (no token).' },
];

/** `/byok/:orgId` → `/byok/{orgId}`. */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function securityFor(path: string): Array<Record<string, string[]>> | null {
  if (path.startsWith('/v1/')) return [{ serviceToken: [] }];
  if (path.startsWith('/byok/')) return [{ adminToken: [] }];
  return null;
}

function errorResponse(status: number, codes: readonly string[], existing: OpenApiDocument | undefined): OpenApiDocument {
  const notes = codes.map((code) => (CODE_NOTES[code] ? `- \`${code}\`: ${CODE_NOTES[code]}` : `- \`${code}\``));
  const description = codes.length ? `${STATUS_TEXT[status] ?? 'Error'}. Error codes:\n${notes.join('\n')}` : (existing?.description ?? STATUS_TEXT[status] ?? 'Error');
  const content = existing?.content ?? { 'application/json': { schema: ERROR_REF } };
  const response: OpenApiDocument = { ...existing, description, content };
  if (codes.length) response['x-error-codes'] = [...codes];
  return response;
}

function enrichOperation(path: string, method: string, operation: OpenApiDocument): void {
  const key = `${method.toUpperCase()} ${path}`;
  const security = securityFor(path);
  if (security) operation.security = security;
  const responses: OpenApiDocument = (operation.responses ??= {});

  const table = merge(ERROR_CODES[key] ?? {}, GLOBAL_ERRORS);
  for (const [statusText, codes] of Object.entries(table)) {
    const status = Number(statusText);
    if (codes.length === 0 && responses[statusText]) continue;
    responses[statusText] = errorResponse(status, codes, responses[statusText]);
  }
  for (const [status, response] of Object.entries(responses)) {
    const described = RESPONSE_DESCRIPTIONS[`${key} ${status}`];
    if (described) response.description = described;
    else if (response.description === 'Default Response') response.description = DEFAULT_DESCRIPTIONS[status] ?? 'Response.';
    const headers: OpenApiDocument = { ...(response.headers ?? {}), 'X-Request-Id': REQUEST_ID_HEADER };
    if (status === '429' || (status === '503' && response['x-error-codes']?.includes('storage_unavailable'))) headers['Retry-After'] = RETRY_AFTER_HEADER;
    response.headers = headers;
  }
  operation.parameters = [...(operation.parameters ?? []), { $ref: '#/components/parameters/X-Request-Id' }];

  if (key === 'POST /v1/chat/completions') {
    const ok = responses['200'];
    ok.description = 'The completion. With `stream: true` a `text/event-stream` instead: chat.completion.chunk events, then `data: [DONE]`.';
    ok.headers = { ...ok.headers, ...Object.fromEntries(Object.keys(GATEWAY_HEADERS).map((name) => [name, { $ref: `#/components/headers/${name}` }])) };
    ok.content['text/event-stream'] = {
      schema: {
        type: 'string',
        description:
          'Server-sent events. Each event is `data: <ChatCompletionChunk JSON>` (see components.schemas.ChatCompletionChunk); the stream ends with `data: [DONE]`. ' +
          '`stream_options.include_usage` adds a final chunk with `usage` and no choices. A stream the provider cuts before its terminal event, or that fails ' +
          'after the first byte, ends with an error event instead of `[DONE]`: `data: {"error":{"code":"upstream_stream_truncated"|"upstream_timeout"|"upstream_error",…}}`.',
      },
      example: SSE_EXAMPLE,
    };
  }
}

const DOCS_PATH = {
  get: {
    summary: 'This document, browsable (Swagger UI; its assets are served by the gateway itself, no network needed)',
    tags: ['ops'],
    responses: {
      '200': { description: 'An HTML page.', content: { 'text/html': { schema: { type: 'string' } } } },
    },
  },
};

/** Adds what the route schemas cannot say; `@fastify/swagger` calls it as transformObject. */
export function enrichDocument(input: OpenApiDocument): OpenApiDocument {
  const doc: OpenApiDocument = JSON.parse(JSON.stringify(input));
  doc.components ??= {};
  doc.components.securitySchemes = SECURITY_SCHEMES;
  doc.components.schemas = { ...doc.components.schemas, ChatCompletionChunk: CHUNK_SCHEMA };
  doc.components.headers = {
    ...GATEWAY_HEADERS,
    'X-Request-Id': { description: "The request id: the caller's X-Request-Id when it sent a valid one (1–128 of A-Za-z0-9._:-), else a new UUID.", schema: { type: 'string' } },
  };
  doc.components.parameters = {
    'X-Request-Id': {
      name: 'X-Request-Id',
      in: 'header',
      required: false,
      description: 'Optional caller-chosen request id (1–128 of A-Za-z0-9._:-), echoed in the response and the logs.',
      schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
    },
  };
  doc.paths ??= {};
  doc.paths['/docs'] = DOCS_PATH;
  for (const [path, item] of Object.entries(doc.paths as Record<string, OpenApiDocument>)) {
    for (const [method, operation] of Object.entries(item)) {
      if (METHODS.has(method)) enrichOperation(path, method, operation as OpenApiDocument);
    }
  }
  doc.paths = Object.fromEntries(Object.entries(doc.paths).sort(([a], [b]) => a.localeCompare(b)));
  return doc;
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** Routes the document leaves out on purpose: HEAD twins of GETs and the UI's own assets. */
export function isDocumentedRoute(route: ServedRoute): boolean {
  if (route.method === 'HEAD' || route.method === 'OPTIONS') return false;
  if (route.url.startsWith('/docs/')) return false;
  return true;
}

export interface SpecComparison {
  /** Served routes the document does not have: `GET /path`. */
  undocumented: string[];
  /** Operations in the document no route serves. */
  unserved: string[];
  /** Operations without a summary, a success response, an error table row or auth where auth applies. */
  incomplete: string[];
}

/** Compares what the app serves with a document (the committed openapi.yaml). */
export function compareRoutesWithSpec(routes: readonly ServedRoute[], doc: OpenApiDocument): SpecComparison {
  const served = new Set(routes.filter(isDocumentedRoute).map((r) => `${r.method.toUpperCase()} ${openApiPath(r.url)}`));
  const documented = new Set<string>();
  const incomplete: string[] = [];
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Record<string, OpenApiDocument>)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!METHODS.has(method)) continue;
      const key = `${method.toUpperCase()} ${path}`;
      documented.add(key);
      const op = operation as OpenApiDocument;
      const statuses = Object.keys(op.responses ?? {});
      const problems: string[] = [];
      if (!op.summary) problems.push('no summary');
      if (!statuses.some((s) => /^2\d\d$/.test(s))) problems.push('no success response');
      if (securityFor(path)) {
        if (!op.security?.length) problems.push('no security requirement');
        if (!ERROR_CODES[key]) problems.push('no row in ERROR_CODES');
        if (!statuses.includes('401')) problems.push('no 401 response');
      }
      if (problems.length) incomplete.push(`${key}: ${problems.join(', ')}`);
    }
  }
  return {
    undocumented: [...served].filter((k) => !documented.has(k)).sort(),
    unserved: [...documented].filter((k) => !served.has(k)).sort(),
    incomplete: incomplete.sort(),
  };
}
