// Property-based fuzzing of every route (fast-check, through app.inject): bodies, headers,
// path parameters and queries, valid-looking and hostile. Whatever comes in, the gateway
// answers with no 5xx, errors in the contract's shape, a request id, never a secret, and
// keeps running. Chat bodies also go to orgs configured with a real (local) upstream in
// two wire formats, so they pass validation and reach the adapters; every upstream call
// gets a valid JSON body.
//
// FUZZ_SEED=<n> replays a run; FUZZ_SCALE=<x> multiplies the number of cases.
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import pino from 'pino';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { KeyVault, generateMasterKey } from '../src/keys/vault.js';
import { loggerOptions } from '../src/plugins/logger.js';
import { PROVIDER_IDS } from '../src/providers/registry.js';
import type { Storage } from '../src/store/db.js';
import { startEchoUpstream, type EchoUpstream } from './helpers/echo-upstream.js';
import { ADMIN_TOKEN, SERVICE_TOKEN } from './helpers/gateway.js';
import { isContractError } from './helpers/http-client.js';
import { openTestStorage } from './helpers/storage.js';

const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));

type App = Awaited<ReturnType<typeof buildApp>>;
type Reply = Awaited<ReturnType<App['inject']>>;

let app: App;
let storage: Storage;
let echo: EchoUpstream;
let dispatcher: Agent;
const logs: string[] = [];
let cases = 0;

/** Chat orgs with a real upstream behind them (never touched by the admin fuzzing). */
const CHAT_ORGS = ['fuzz-chat-openai', 'fuzz-chat-anthropic'];
/** Orgs of the other wire families: their requests are built and sent, the echo server's answer is the wrong format. */
const OTHER_FAMILY_ORGS = ['fuzz-gemini', 'fuzz-cohere', 'fuzz-azure', 'fuzz-bedrock', 'fuzz-openrouter'];
const UNCONFIGURED_ORG = 'fuzz-nobody';
/** Orgs the admin fuzzing may create, change and delete. */
const ADMIN_ORGS = ['fz-a', 'fz-b', 'fz-c'];
const FUZZ_KEY = 'sk-fuzz-configured-key-0123456789';

beforeAll(async () => {
  echo = await startEchoUpstream();
  const { port } = new URL(echo.baseUrl);
  // Every upstream call, whatever base URL a fuzzed config names, lands on the local echo
  // server: no case can reach the internet, and probes answer quickly.
  dispatcher = new Agent({
    connect: (_options, callback) => {
      const socket = connect(Number(port), '127.0.0.1');
      socket.once('connect', () => callback(null, socket));
      socket.once('error', (error) => callback(error, null));
    },
  });
  storage = await openTestStorage('postgres');
  const config = loadConfig({
    GATEWAY_ADMIN_TOKENS: ADMIN_TOKEN,
    GATEWAY_SERVICE_TOKENS: SERVICE_TOKEN,
    QUEUE_WAIT_MS: '1000',
    USAGE_FLUSH_INTERVAL_MS: '200',
    PROBE_TIMEOUT_MS: '2000',
    UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '5000',
    UPSTREAM_IDLE_TIMEOUT_MS: '5000',
    BODY_LIMIT_BYTES: String(256 * 1024),
  });
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      logs.push(String(chunk));
      callback();
    },
  });
  app = await buildApp({
    config,
    storage,
    vault: KeyVault.fromSpec(generateMasterKey('fuzz')),
    redis: null,
    dispatcher,
    logger: pino(loggerOptions('warn'), stream),
  });
  await app.ready();
  const slots: Record<string, Record<string, unknown>> = {
    'fuzz-chat-openai': { provider: 'openai_compatible', model: 'echo-model', apiKey: FUZZ_KEY, baseUrl: `${echo.baseUrl}/v1`, settings: { reasoning: { level: 'medium' } } },
    'fuzz-chat-anthropic': { provider: 'anthropic', model: 'claude-sonnet-4-6', apiKey: FUZZ_KEY, baseUrl: echo.baseUrl, settings: { reasoning: { level: 'medium' } } },
    'fuzz-gemini': { provider: 'google', model: 'gemini-2.5-flash', apiKey: FUZZ_KEY, baseUrl: echo.baseUrl, settings: { reasoning: { level: 'medium' } } },
    'fuzz-cohere': { provider: 'cohere', model: 'command-a-reasoning-08-2025', apiKey: FUZZ_KEY, baseUrl: echo.baseUrl, settings: { reasoning: { level: 'medium' } } },
    'fuzz-azure': { provider: 'azure_openai', model: 'o4-mini', apiKey: FUZZ_KEY, baseUrl: echo.baseUrl, credentials: { deployment: 'dep', apiVersion: '2024-10-21' } },
    'fuzz-bedrock': { provider: 'bedrock', model: 'anthropic.claude-sonnet-4-6', baseUrl: echo.baseUrl, credentials: { accessKeyId: 'AKIAFUZZFUZZFUZZFUZZ', secretAccessKey: FUZZ_KEY, region: 'us-east-1' } },
    'fuzz-openrouter': { provider: 'openrouter', model: 'moonshotai/kimi-k2', apiKey: FUZZ_KEY, baseUrl: `${echo.baseUrl}/v1`, settings: { reasoning: { level: 'high' }, openrouter: { order: ['moonshot'], allowFallbacks: false } } },
  };
  for (const [orgId, body] of Object.entries(slots)) {
    const res = await app.inject({ method: 'PUT', url: `/byok/${orgId}/main`, headers: adminHeaders(), payload: body as Record<string, unknown> });
    expect(res.statusCode, res.body).toBe(201);
  }
});

afterAll(async () => {
  await app?.close(); // closes the storage too
  await dispatcher?.close();
  await echo?.close();
});

function adminHeaders(): Record<string, string> {
  return { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
}

// ------------------------------------------------------------------ the invariant

interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
  /** Secrets this request carried, which no answer may contain. */
  secrets?: string[];
  /** The upstream speaks another wire format: 502 upstream_error is a real upstream failure here. */
  allowUpstreamError?: boolean;
}

function describeCase(sent: Sent, res: Reply, why: string): Error {
  const payload = typeof sent.payload === 'string' ? sent.payload.slice(0, 600) : sent.payload ? `<${sent.payload.length} bytes>` : '';
  return new Error(`${why}\n→ ${sent.method} ${sent.url.slice(0, 200)}\n  headers ${JSON.stringify(sent.headers).slice(0, 400)}\n  body ${payload}\n← ${res.statusCode} ${res.body.slice(0, 600)}`);
}

/** Sends one case and checks what every answer must satisfy; throws a readable error otherwise. */
async function sendCase(sent: Sent): Promise<Reply> {
  cases++;
  const res = await app.inject({ method: sent.method as 'GET', url: sent.url, headers: sent.headers, payload: sent.payload });
  const upstreamError = sent.allowUpstreamError && res.statusCode === 502 && /"code":"upstream_error"/.test(res.body);
  if (res.statusCode >= 500 && !upstreamError) throw describeCase(sent, res, `a ${res.statusCode} from the gateway`);
  if (typeof res.headers['x-request-id'] !== 'string') throw describeCase(sent, res, 'no X-Request-Id');
  const contentType = String(res.headers['content-type'] ?? '');
  if (sent.method === 'HEAD') return res;
  if (res.statusCode >= 400) {
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      throw describeCase(sent, res, 'an error body that is not JSON');
    }
    if (!isContractError(body)) throw describeCase(sent, res, 'an error body not in the contract shape');
  } else if (contentType.startsWith('text/event-stream')) {
    const frames = res.body.split('\n\n').filter((f) => f.startsWith('data: '));
    const last = frames.at(-1) ?? '';
    if (last !== 'data: [DONE]' && !/"error"/.test(last)) throw describeCase(sent, res, 'a stream that ends without [DONE] or an error frame');
    for (const frame of frames.slice(0, -1)) JSON.parse(frame.slice(6));
  } else if (contentType.startsWith('application/json')) {
    JSON.parse(res.body);
  }
  for (const secret of [ADMIN_TOKEN, SERVICE_TOKEN, FUZZ_KEY, ...(sent.secrets ?? [])]) {
    if (secret.length >= 16 && res.body.includes(secret)) throw describeCase(sent, res, 'the answer contains a secret');
  }
  return res;
}

// ------------------------------------------------------------------ arbitraries

const printable = fc.string({ unit: 'grapheme', maxLength: 40 });
/** UTF-16 code units, lone surrogates included (fast-check's 'binary' unit is far slower). */
const codeUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 24 });
const anyText = fc.oneof(printable, codeUnits, fc.constantFrom('', ' ', '\u0000', '\r\n', '../..', '%00', '%zz', '{}', 'null', '\ud800', 'ø', '𝕏'));
const json = fc.jsonValue({ maxDepth: 3 });
/** A header value Node will send (no CR/LF/NUL; latin1 only). */
const headerValue = anyText.map((s) => s.replace(/[^\t\x20-\x7e\x80-\xff]/g, ''));

const orgIdLike = fc.oneof(
  { arbitrary: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/), weight: 4 },
  { arbitrary: anyText, weight: 2 },
  { arbitrary: fc.constantFrom('a'.repeat(128), 'a'.repeat(129), 'a'.repeat(300), '.', '..', '-', 'catalog', 'test', 'org%2Fx', 'org id'), weight: 1 },
);

/** Base URLs: local and refused addresses, garbage; never a host name that needs DNS. */
const baseUrl = fc.oneof(
  fc.constantFrom(
    'http://127.0.0.1:1/v1',
    'http://localhost:9/v1',
    'https://10.1.2.3/v1',
    'http://169.254.169.254/',
    'http://[::ffff:a9fe:a9fe]/',
    'http://0xa9fea9fe/',
    'http://[fe80::1]/',
    'ftp://127.0.0.1/',
    'http://user:pass@127.0.0.1/',
    'http://127.0.0.1/v1?x=1',
    'http://127.0.0.1:0/',
    'http://127.0.0.1:99999/',
    'http://127.0.0.1/v1\r\nX-Injected: 1',
    'javascript:alert(1)',
    '',
    ' ',
    'http://[::1',
  ),
  anyText.filter((s) => {
    try {
      const url = new URL(s);
      return !/^https?:$/.test(url.protocol) || /^[\d.[\]:a-f]*$/i.test(url.hostname) || url.hostname === 'localhost';
    } catch {
      return true;
    }
  }),
  fc.constant(null),
);

const provider = fc.oneof({ arbitrary: fc.constantFrom(...PROVIDER_IDS), weight: 3 }, { arbitrary: anyText, weight: 1 });
const apiKey = fc.oneof(
  { arbitrary: fc.stringMatching(/^sk-fz[A-Za-z0-9]{16,40}$/), weight: 3 },
  { arbitrary: anyText, weight: 1 },
  { arbitrary: fc.constantFrom('', '  "Bearer sk-quoted-key-000000000000" ', 'sk-x\r\ny', 'x'.repeat(9000)), weight: 1 },
);

const settings = fc.record(
  {
    temperature: fc.oneof(fc.double({ noNaN: true, min: -5, max: 5 }), fc.constant(null), json),
    maxOutputTokens: fc.oneof(fc.integer({ min: -10, max: 2_000_000 }), fc.constant(null), json),
    reasoning: fc.oneof(
      fc.record({ level: fc.oneof(fc.constantFrom('off', 'low', 'medium', 'high', 'custom'), anyText), custom: fc.oneof(json, anyText, fc.constant(undefined)) }, { requiredKeys: ['level'] }),
      fc.constant(null),
      json,
    ),
    maxConcurrentRequests: fc.oneof(fc.integer({ min: -1, max: 200_000 }), fc.constant(null), json),
    openrouter: fc.oneof(fc.record({ order: fc.array(anyText, { maxLength: 3 }), allowFallbacks: fc.boolean() }, { requiredKeys: [] }), fc.constant(null), json),
  },
  { requiredKeys: [] },
);

const slotBody = fc.record(
  {
    provider,
    model: fc.oneof(fc.constantFrom('echo-model', 'gpt-5.4', 'claude-sonnet-4-6', 'glm-5.1'), anyText),
    apiKey,
    credentials: fc.oneof(fc.dictionary(fc.oneof(fc.constantFrom('region', 'accessKeyId', 'secretAccessKey', 'deployment', 'accountId', 'endpoint'), anyText), anyText, { maxKeys: 4 }), json),
    baseUrl,
    plan: fc.oneof(fc.constantFrom('coding', 'developer', 'code', null), anyText),
    settings: fc.oneof({ arbitrary: settings, weight: 4 }, { arbitrary: json, weight: 1 }),
    confirmOverride: fc.oneof(fc.boolean(), json),
  },
  { requiredKeys: [] },
);

const messageContent = fc.oneof(
  { arbitrary: printable, weight: 5 },
  {
    arbitrary: fc.array(
      fc.oneof(
        fc.record({ type: fc.constant('text'), text: printable }),
        fc.record({ type: fc.constant('image_url'), image_url: fc.record({ url: fc.constantFrom('https://example.invalid/a.png', 'data:image/png;base64,iVBORw0KGgo=', 'data:,', 'x'), detail: fc.constantFrom('low', 'high', 'auto') }, { requiredKeys: ['url'] }) }),
        json,
      ),
      { maxLength: 4 },
    ),
    weight: 2,
  },
  { arbitrary: fc.constant(null), weight: 1 },
  { arbitrary: json, weight: 1 },
);

const toolCall = fc.record({ id: printable, type: fc.constant('function'), function: fc.record({ name: printable, arguments: fc.oneof(fc.constant('{"a":1}'), printable) }) });

const message = fc.record(
  {
    role: fc.oneof({ arbitrary: fc.constantFrom('system', 'developer', 'user', 'assistant', 'tool'), weight: 6 }, { arbitrary: anyText, weight: 1 }),
    content: messageContent,
    name: printable,
    tool_calls: fc.array(toolCall, { maxLength: 2 }),
    tool_call_id: printable,
    reasoning_content: fc.oneof(printable, fc.constant(null)),
  },
  { requiredKeys: ['role'] },
);

const tool = fc.record({
  type: fc.constant('function'),
  function: fc.record(
    { name: fc.oneof(fc.stringMatching(/^[a-z_]{1,20}$/), printable), description: printable, parameters: fc.oneof(fc.constant({ type: 'object', properties: { city: { type: 'string' } } }), fc.dictionary(printable, json, { maxKeys: 3 })), strict: fc.oneof(fc.boolean(), fc.constant(null)) },
    { requiredKeys: ['name'] },
  ),
});

/** Only valid values: these pass validation and reach the adapters. */
const validChatBody = fc.record(
  {
    model: printable,
    messages: fc.array(
      fc.record(
        {
          role: fc.constantFrom('system', 'developer', 'user', 'assistant', 'user'),
          content: fc.oneof(printable, fc.array(fc.record({ type: fc.constant('text'), text: printable }), { minLength: 1, maxLength: 3 })),
          name: fc.stringMatching(/^[a-z]{1,10}$/),
        },
        { requiredKeys: ['role', 'content'] },
      ),
      { minLength: 1, maxLength: 4 },
    ),
    tools: fc.array(fc.record({ type: fc.constant('function'), function: fc.record({ name: fc.stringMatching(/^[a-z_]{1,20}$/), description: printable, parameters: fc.constant({ type: 'object', properties: { city: { type: 'string' } } }) }) }), { maxLength: 2 }),
    tool_choice: fc.constantFrom('none', 'auto'),
    response_format: fc.constantFrom({ type: 'json_object' }, { type: 'text' }, { type: 'json_schema', json_schema: { name: 's', schema: { type: 'object' } } }),
    temperature: fc.double({ noNaN: true, min: 0, max: 2 }),
    top_p: fc.double({ noNaN: true, min: 0, max: 1 }),
    max_tokens: fc.integer({ min: 1, max: 100_000 }),
    stop: fc.oneof(printable, fc.array(printable, { maxLength: 4 })),
    seed: fc.integer(),
    user: printable,
    reasoning_effort: fc.constantFrom('none', 'minimal', 'low', 'medium', 'high'),
    stream: fc.boolean(),
    stream_options: fc.record({ include_usage: fc.boolean() }),
    unknown_field: json,
  },
  { requiredKeys: ['messages'] },
);

/** Anything goes: wrong types, odd roles, tool calls, images. */
const anyChatBody = fc.record(
  {
    model: fc.oneof(printable, json),
    messages: fc.oneof({ arbitrary: fc.array(message, { minLength: 1, maxLength: 5 }), weight: 8 }, { arbitrary: json, weight: 1 }),
    tools: fc.oneof({ arbitrary: fc.array(tool, { maxLength: 3 }), weight: 3 }, { arbitrary: json, weight: 1 }),
    tool_choice: fc.oneof(fc.constantFrom('none', 'auto', 'required'), fc.record({ type: fc.constant('function'), function: fc.record({ name: printable }) }), json),
    parallel_tool_calls: fc.oneof(fc.boolean(), json),
    response_format: fc.oneof(
      fc.constant({ type: 'json_object' }),
      fc.record({ type: fc.constant('json_schema'), json_schema: fc.record({ name: printable, schema: fc.constant({ type: 'object' }), strict: fc.boolean() }, { requiredKeys: ['name'] }) }),
      fc.constant({ type: 'text' }),
      json,
    ),
    temperature: fc.oneof(fc.double({ noNaN: true, min: -1, max: 3 }), fc.constant(null), json),
    top_p: fc.oneof(fc.double({ noNaN: true, min: -1, max: 2 }), json),
    max_tokens: fc.oneof(fc.integer({ min: -5, max: 1_000_000 }), fc.constant(null), json),
    max_completion_tokens: fc.oneof(fc.integer({ min: -5, max: 1_000_000 }), json),
    stop: fc.oneof(printable, fc.array(printable, { maxLength: 5 }), fc.constant(null), json),
    seed: fc.oneof(fc.integer(), json),
    user: fc.oneof(printable, json),
    reasoning_effort: fc.oneof(fc.constantFrom('none', 'minimal', 'low', 'medium', 'high'), anyText),
    stream: fc.oneof({ arbitrary: fc.boolean(), weight: 4 }, { arbitrary: json, weight: 1 }),
    stream_options: fc.oneof(fc.record({ include_usage: fc.boolean() }), fc.constant(null), json),
    n: fc.integer({ min: 0, max: 3 }),
    logprobs: fc.boolean(),
    metadata: fc.dictionary(printable, printable, { maxKeys: 3 }),
  },
  { requiredKeys: ['messages'] },
);

const chatBody = fc.oneof({ arbitrary: validChatBody, weight: 3 }, { arbitrary: anyChatBody, weight: 2 });

/** A body as bytes: usually JSON of the shaped value, sometimes broken or not JSON at all. */
function bodyBytes<T>(shaped: fc.Arbitrary<T>): fc.Arbitrary<string | Buffer | undefined> {
  return fc.oneof(
    { arbitrary: shaped.map((v) => JSON.stringify(v)), weight: 12 },
    { arbitrary: json.map((v) => JSON.stringify(v)), weight: 2 },
    { arbitrary: shaped.chain((v) => fc.nat().map((cut) => JSON.stringify(v).slice(0, cut % (JSON.stringify(v).length + 1)))), weight: 1 },
    { arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)), weight: 1 },
    { arbitrary: anyText, weight: 1 },
    { arbitrary: fc.constant(undefined), weight: 1 },
  );
}

const contentType = fc.oneof(
  { arbitrary: fc.constant('application/json'), weight: 12 },
  { arbitrary: fc.constantFrom('application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', ''), weight: 2 },
  { arbitrary: headerValue, weight: 1 },
);

function authorization(kind: 'service' | 'admin'): fc.Arbitrary<string | undefined> {
  const right = `Bearer ${kind === 'service' ? SERVICE_TOKEN : ADMIN_TOKEN}`;
  const wrong = `Bearer ${kind === 'service' ? ADMIN_TOKEN : SERVICE_TOKEN}`;
  return fc.oneof(
    { arbitrary: fc.constant(right), weight: 16 },
    { arbitrary: fc.constantFrom(wrong, `bearer ${right.slice(7)}`, `Bearer  ${right.slice(7)} `, 'Bearer', 'Basic dXNlcjpwYXNz', right.slice(7)), weight: 2 },
    { arbitrary: headerValue.map((v) => `Bearer ${v}`), weight: 1 },
    { arbitrary: fc.constant(undefined), weight: 1 },
  );
}

function headers(auth: string | undefined, type: string | undefined, extra: Record<string, string | undefined> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  if (auth !== undefined) out.authorization = auth;
  if (type) out['content-type'] = type;
  for (const [name, value] of Object.entries(extra)) if (value !== undefined) out[name] = value;
  return out;
}

/** Percent-encodes any string as UTF-8 bytes (encodeURIComponent throws on lone surrogates). */
const segment = (value: string) => [...Buffer.from(value, 'utf8')].map((b) => (/[A-Za-z0-9._~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
const rawSegment = fc.oneof({ arbitrary: orgIdLike.map(segment), weight: 6 }, { arbitrary: fc.constantFrom('%', '%zz', '%FF', '%E0%A4', '..', '%2e%2e', 'a%2Fb', '%00'), weight: 1 });
const slotName = fc.oneof({ arbitrary: fc.constantFrom('main', 'fallback'), weight: 6 }, { arbitrary: anyText.map(segment), weight: 1 });
const adminOrg = fc.oneof({ arbitrary: fc.constantFrom(...ADMIN_ORGS), weight: 4 }, { arbitrary: rawSegment.filter((s) => !CHAT_ORGS.includes(s)), weight: 1 });

const query = fc.oneof(
  { arbitrary: fc.constant(''), weight: 3 },
  {
    arbitrary: fc
      .array(fc.tuple(fc.constantFrom('limit', 'since', 'before', 'test', 'x'), fc.oneof(fc.constantFrom('1', '0', '-1', '1e400', '10001', 'true', '2020-01-01T00:00:00Z', '0000-01-01T00:00:00Z', '99999999999999999999'), anyText.map(segment))), { maxLength: 3 })
      .map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}` : '')),
    weight: 2,
  },
);

// ------------------------------------------------------------------ the properties

function runProperty<T>(arbitrary: fc.Arbitrary<T>, numRuns: number, toCase: (value: T) => Sent): Promise<void> {
  return fc.assert(
    fc.asyncProperty(arbitrary, async (value) => {
      await sendCase(toCase(value));
    }),
    { numRuns: runs(numRuns), seed: SEED, endOnFailure: true },
  );
}

describe('fuzzing every route', { timeout: 120_000 }, () => {
  it('POST /v1/chat/completions against configured orgs: bodies reach the adapters, answers stay in contract', async () => {
    const before = echo.keys.length;
    await runProperty(fc.record({ org: fc.constantFrom(...CHAT_ORGS), body: bodyBytes(chatBody), type: contentType, auth: authorization('service') }), 3_000, ({ org, body, type, auth }) => ({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: headers(auth, type, { 'x-org-id': org }),
      payload: body,
    }));
    // A good share of the cases passed validation and went upstream.
    expect(echo.keys.length - before).toBeGreaterThan(runs(3_000) / 5);
  });

  it('POST /v1/chat/completions against orgs of every other wire family: requests are built and sent', async () => {
    const before = echo.keys.length;
    await runProperty(fc.record({ org: fc.constantFrom(...OTHER_FAMILY_ORGS), body: bodyBytes(chatBody), auth: authorization('service') }), 800, ({ org, body, auth }) => ({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: headers(auth, 'application/json', { 'x-org-id': org }),
      payload: body,
      allowUpstreamError: true,
    }));
    expect(echo.keys.length - before).toBeGreaterThan(runs(800) / 5);
  });

  it('POST /v1/chat/completions with any org id and headers', async () => {
    await runProperty(
      fc.record({ org: fc.oneof(fc.constant(UNCONFIGURED_ORG), headerValue, fc.constant(undefined)), body: bodyBytes(chatBody), type: contentType, auth: authorization('service'), requestId: fc.option(headerValue) }),
      1_400,
      ({ org, body, type, auth, requestId }) => ({
        method: 'POST',
        url: '/v1/chat/completions',
        headers: headers(auth, type, { 'x-org-id': org, 'x-request-id': requestId ?? undefined }),
        payload: body,
      }),
    );
  });

  it('GET /v1/models with any org id and token', async () => {
    await runProperty(fc.record({ org: fc.oneof(fc.constantFrom(...CHAT_ORGS, UNCONFIGURED_ORG), headerValue), auth: authorization('service') }), 300, ({ org, auth }) => ({
      method: 'GET',
      url: '/v1/models',
      headers: headers(auth, undefined, { 'x-org-id': org }),
    }));
  });

  it('PUT /byok/:orgId/:slot', async () => {
    await runProperty(
      fc.record({ org: adminOrg, slot: slotName, q: fc.constantFrom('', '', '', '?test=false', '?test=true', '?test=maybe'), body: bodyBytes(slotBody), type: contentType, auth: authorization('admin') }),
      1_500,
      ({ org, slot, q, body, type, auth }) => ({
        method: 'PUT',
        url: `/byok/${org}/${slot}${q}`,
        headers: headers(auth, type),
        payload: body,
        secrets: typeof body === 'string' ? secretsIn(body) : [],
      }),
    );
  });

  it('PATCH /byok/:orgId/:slot', async () => {
    const patchBody = fc.record({ model: slotBody.map((b) => b.model), baseUrl, plan: slotBody.map((b) => b.plan), settings: fc.oneof(settings, json), extra: json }, { requiredKeys: [] });
    await runProperty(fc.record({ org: adminOrg, slot: slotName, body: bodyBytes(patchBody), type: contentType, auth: authorization('admin') }), 700, ({ org, slot, body, type, auth }) => ({
      method: 'PATCH',
      url: `/byok/${org}/${slot}`,
      headers: headers(auth, type),
      payload: body,
    }));
  });

  it('DELETE /byok/:orgId/:slot and POST /byok/:orgId/:slot/enable', async () => {
    await runProperty(fc.record({ org: adminOrg, slot: slotName, enable: fc.boolean(), body: fc.option(bodyBytes(json)), auth: authorization('admin') }), 300, ({ org, slot, enable, body, auth }) => ({
      method: enable ? 'POST' : 'DELETE',
      url: enable ? `/byok/${org}/${slot}/enable` : `/byok/${org}/${slot}`,
      headers: headers(auth, body ? 'application/json' : undefined),
      payload: body ?? undefined,
    }));
  });

  it('POST /byok/test', async () => {
    const stored = fc.record({ orgId: fc.oneof(fc.constantFrom(...CHAT_ORGS, ...ADMIN_ORGS), anyText), slot: fc.oneof(fc.constantFrom('main', 'fallback'), anyText), mode: fc.oneof(fc.constantFrom('metadata', 'completion'), anyText) }, { requiredKeys: ['orgId', 'slot'] });
    const direct = slotBody.chain((b) => fc.record({ mode: fc.constantFrom('metadata', 'completion', undefined) }).map(({ mode }) => ({ ...b, ...(mode ? { mode } : {}) })));
    await runProperty(fc.record({ body: bodyBytes(fc.oneof(direct, stored)), type: contentType, auth: authorization('admin') }), 800, ({ body, type, auth }) => ({
      method: 'POST',
      url: '/byok/test',
      headers: headers(auth, type),
      payload: body,
      secrets: typeof body === 'string' ? secretsIn(body) : [],
    }));
  });

  it('GET /byok/:orgId, /audit and /usage with any path and query', async () => {
    await runProperty(
      fc.record({ org: fc.oneof(rawSegment, fc.constantFrom(...CHAT_ORGS)), tail: fc.constantFrom('', '/audit', '/usage', '/usage', '/audit'), q: query, auth: authorization('admin') }),
      1_000,
      ({ org, tail, q, auth }) => ({ method: 'GET', url: `/byok/${org}${tail}${q}`, headers: headers(auth, undefined) }),
    );
  });

  it('any method on any path, with any token', async () => {
    const path = fc.oneof(
      fc.constantFrom('/healthz', '/readyz', '/metrics', '/openapi.json', '/byok/catalog', '/v1/chat/completions', '/v1/models', '/byok/test', '/', '/v1', '/byok', '/docs'),
      fc.array(rawSegment, { minLength: 1, maxLength: 4 }).map((parts) => `/${parts.join('/')}`),
      fc.array(rawSegment, { minLength: 1, maxLength: 3 }).map((parts) => `/byok/${parts.join('/')}`),
    );
    await runProperty(
      fc.record({ method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'), path, q: query, body: fc.option(bodyBytes(json)), auth: fc.oneof(authorization('admin'), authorization('service')) }),
      600,
      ({ method, path: p, q, body, auth }) => ({
        method,
        url: `${p}${q}`,
        headers: headers(auth, body !== null ? 'application/json' : undefined, { 'x-org-id': CHAT_ORGS[0] }),
        payload: method === 'GET' || method === 'HEAD' ? undefined : (body ?? undefined),
      }),
    );
  });

  it(`ran at least 10,000 cases and the gateway is still healthy`, async () => {
    expect(cases).toBeGreaterThanOrEqual(runs(10_000));
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    const chat = await app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${SERVICE_TOKEN}`, 'x-org-id': CHAT_ORGS[0], 'content-type': 'application/json' }, payload: { messages: [{ role: 'user', content: 'hi' }] } });
    expect(chat.statusCode, chat.body).toBe(200);
    const errors = logs.map((line) => JSON.parse(line)).filter((entry) => entry.level >= 50);
    expect(errors.map((e) => `${e.msg}: ${e.err?.message ?? ''}`)).toEqual([]);
    expect(app.gateway.semaphore.stats().reduce((sum, s) => sum + s.inFlight, 0)).toBe(0);
  });
});

/** The key-like values a fuzzed body carries (long enough that a hint cannot contain them). */
function secretsIn(body: string): string[] {
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    const values = [parsed.apiKey, ...Object.values((parsed.credentials as Record<string, unknown>) ?? {})];
    return values.filter((v): v is string => typeof v === 'string' && /^sk-fz[A-Za-z0-9]{16,}$/.test(v));
  } catch {
    return [];
  }
}
