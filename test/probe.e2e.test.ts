// Key testing end to end: POST /byok/test and PUT …?test=true on the whole gateway,
// against local servers playing each family's probe endpoint (and hanging, refusing,
// speaking the wrong TLS). A probe is a metadata call: the fakes must never see a chat
// request unless mode "completion" asks for exactly one.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeResult } from '../src/byok/service.js';
import { keyFingerprint, keyHint } from '../src/keys/hints.js';
import { startAnthropicUpstream } from './fakes/anthropic-upstream.js';
import { startAzureUpstream } from './fakes/azure-upstream.js';
import { FAKE_AWS_CREDENTIALS, startBedrockUpstream } from './fakes/bedrock-upstream.js';
import { startCohereUpstream } from './fakes/cohere-upstream.js';
import { startGeminiUpstream } from './fakes/gemini-upstream.js';
import { startOpenAiUpstream } from './fakes/openai-upstream.js';
import { startOpenRouterUpstream } from './fakes/openrouter-upstream.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';

const PROBE_TIMEOUT_MS = 700;

interface Fake {
  baseUrl: string;
  requests: Array<{ method: string; path: string; headers: Record<string, unknown>; body: any }>;
  failNext(status: number, body: unknown, headers?: Record<string, string>): void;
  close(): Promise<void>;
}

interface Family {
  name: string;
  start: () => Promise<Fake>;
  /** The probe body's credentials (provider, apiKey or credentials). */
  credentials: Record<string, unknown>;
  /** A secret of the credentials that no key-like pattern would scrub: only the gateway knowing it can. */
  secret: string;
  model: string;
  typo: string;
  /** How the family's answer speaks about the model: a checked list, no list, or a list that cannot confirm it. */
  listing: 'checked' | 'none' | 'unconfirmable';
  /** The probe request's path on the fake. */
  probePath: RegExp;
}

const FAMILIES: Family[] = [
  {
    name: 'openai',
    start: startOpenAiUpstream,
    credentials: { provider: 'openai', apiKey: 'probe-openai-key-7f3a9c1e2b' },
    secret: 'probe-openai-key-7f3a9c1e2b',
    model: 'gpt-4.1',
    typo: 'gpt-4.2',
    listing: 'checked',
    probePath: /^\/models$/,
  },
  {
    name: 'openrouter',
    start: startOpenRouterUpstream,
    credentials: { provider: 'openrouter', apiKey: 'probe-openrouter-key-5d1c0a' },
    secret: 'probe-openrouter-key-5d1c0a',
    model: 'moonshotai/kimi-k2',
    typo: 'moonshotai/kimi-k3',
    listing: 'none',
    probePath: /^\/key$/,
  },
  {
    name: 'anthropic',
    start: startAnthropicUpstream,
    credentials: { provider: 'anthropic', apiKey: 'probe-anthropic-key-0b9e77' },
    secret: 'probe-anthropic-key-0b9e77',
    model: 'claude-sonnet-4-6',
    typo: 'claude-sonet-4-6',
    listing: 'checked',
    probePath: /^\/v1\/models\?/,
  },
  {
    name: 'gemini',
    start: startGeminiUpstream,
    credentials: { provider: 'google', apiKey: 'probe-gemini-key-41aa2f' },
    secret: 'probe-gemini-key-41aa2f',
    model: 'gemini-2.5-flash',
    typo: 'gemini-2.5-flsh',
    listing: 'checked',
    probePath: /^\/v1beta\/models\?/,
  },
  {
    name: 'bedrock',
    start: startBedrockUpstream,
    credentials: { provider: 'bedrock', credentials: { ...FAKE_AWS_CREDENTIALS, region: 'us-east-1' } },
    secret: FAKE_AWS_CREDENTIALS.secretAccessKey,
    model: 'anthropic.claude-sonnet-4-6',
    typo: 'anthropic.claude-sonet-4-6',
    listing: 'checked',
    probePath: /^\/foundation-models$/,
  },
  {
    name: 'azure',
    start: startAzureUpstream,
    credentials: { provider: 'azure_openai', apiKey: 'probe-azure-key-93c1de' },
    secret: 'probe-azure-key-93c1de',
    model: 'o4-mini',
    typo: 'o4-mimi',
    listing: 'unconfirmable',
    probePath: /^\/openai\/v1\/models/,
  },
  {
    name: 'cohere',
    start: startCohereUpstream,
    credentials: { provider: 'cohere', apiKey: 'probe-cohere-key-6e2b10' },
    secret: 'probe-cohere-key-6e2b10',
    model: 'command-a-03-2025',
    typo: 'command-a-03-2026',
    listing: 'checked',
    probePath: /^\/v1\/models\?/,
  },
];

/** Every secret any test sends: none may appear in an answer or a log line. */
const SECRETS = new Set(FAMILIES.map((f) => f.secret));

let gateway: TestGateway;
let hang: { baseUrl: string; close(): Promise<void> };
let closedPortUrl: string;

beforeAll(async () => {
  gateway = await startTestGateway({
    storage: 'postgres',
    env: { PROBE_TIMEOUT_MS: String(PROBE_TIMEOUT_MS), UPSTREAM_FIRST_BYTE_TIMEOUT_MS: String(PROBE_TIMEOUT_MS) },
  });
  hang = await startHangingServer();
  closedPortUrl = await closedPort();
});
afterAll(async () => {
  await hang?.close();
  await gateway?.close();
  await gateway?.storage.close();
});

// ---------------------------------------------------------------- helpers

/** Accepts connections and requests, never answers. */
async function startHangingServer(): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer(() => {});
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await listen(server);
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await listen(server);
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
}

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any; text: string }> {
  const response = await fetch(`${gateway.url}${path}`, {
    method,
    headers: gateway.admin,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  for (const secret of SECRETS) expect(text, `the answer to ${method} ${path} contains a secret`).not.toContain(secret);
  return { status: response.status, json: text ? JSON.parse(text) : null, text };
}

async function probe(body: Record<string, unknown>): Promise<ProbeResult> {
  const { status, json } = await call('POST', '/byok/test', body);
  expect(status, JSON.stringify(json)).toBe(200);
  expectProbeShape(json);
  return json as ProbeResult;
}

function expectProbeShape(result: any): void {
  expect(Object.keys(result).sort()).toEqual(['httpStatus', 'latencyMs', 'message', 'modelFound', 'models', 'ok', 'status']);
  expect(result.ok).toBe(result.status === 'ok');
  expect(Number.isInteger(result.latencyMs) && result.latencyMs >= 0).toBe(true);
  expect(result.message.length).toBeGreaterThan(10);
}

function chatRequests(fake: Fake): Fake['requests'] {
  return fake.requests.filter((r) => r.method === 'POST');
}

function errorBody(message: string): unknown {
  return { error: { message, type: 'error', code: null }, message };
}

// ---------------------------------------------------------------- every family

describe.each(FAMILIES)('POST /byok/test, $name family', (family) => {
  let fake: Fake;
  const body = (extra: Record<string, unknown> = {}) => ({ ...family.credentials, baseUrl: fake.baseUrl, model: family.model, ...extra });

  beforeAll(async () => {
    fake = await family.start();
  });
  afterAll(async () => {
    await fake.close();
  });

  it('proves the key with one metadata call and no inference', async () => {
    const before = fake.requests.length;
    const result = await probe(body());
    expect(result).toMatchObject({ ok: true, status: 'ok', httpStatus: 200 });
    const sent = fake.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0].method).toBe('GET');
    expect(sent[0].path).toMatch(family.probePath);
    expect(chatRequests(fake)).toHaveLength(0);
    if (family.listing === 'checked') {
      expect(result.models).toContain(family.model);
      expect(result.modelFound).toBe(true);
    } else if (family.listing === 'none') {
      expect(result.models).toBeNull();
      expect(result.modelFound).toBeNull();
    } else {
      expect(result.models).toContain(family.model);
    }
  });

  it('catches a typo in the model id at test time', async () => {
    const result = await probe(body({ model: family.typo }));
    if (family.listing === 'checked') {
      expect(result).toMatchObject({ ok: false, status: 'model_not_found', httpStatus: 200, modelFound: false });
      expect(result.models).toContain(family.model);
      expect(result.message).toContain(family.typo);
      expect(result.message).toMatch(new RegExp(`Did you mean: .*${family.model.replace(/[.]/g, '\\.')}`));
    } else {
      // No list to check against: the probe says so instead of guessing.
      expect(result).toMatchObject({ ok: true, status: 'ok', modelFound: null });
      expect(result.message).toMatch(/completion/);
    }
  });

  it('reports a rejected key as invalid_key, without echoing it', async () => {
    fake.failNext(401, errorBody(`Incorrect API key provided: ${family.secret}. You can find your API key in the console.`));
    const result = await probe(body());
    expect(result).toMatchObject({ ok: false, status: 'invalid_key', httpStatus: 401, models: null, modelFound: null });
    expect(result.message).toMatch(/without spaces, quotes or line breaks/);
    expect(result.message).toContain('[REDACTED]');
  });

  it('reports a 403 as forbidden, pointing at permissions and billing', async () => {
    fake.failNext(403, errorBody('Access denied for this project.'));
    const result = await probe(body());
    expect(result).toMatchObject({ ok: false, status: 'forbidden', httpStatus: 403 });
    expect(result.message).toMatch(/billing|permission|IAM/i);
  });

  it('reports a 404 as endpoint_not_found, pointing at the base URL', async () => {
    fake.failNext(404, errorBody('Not found'));
    const result = await probe(body());
    expect(result).toMatchObject({ ok: false, status: 'endpoint_not_found', httpStatus: 404 });
    expect(result.message).toMatch(/base URL|endpoint/);
  });

  it('reports a 429 as rate_limited', async () => {
    fake.failNext(429, errorBody('Rate limit reached for requests, slow down.'), { 'retry-after': '2' });
    const result = await probe(body());
    expect(result).toMatchObject({ ok: false, status: 'rate_limited', httpStatus: 429 });
    expect(result.message).toMatch(/rate limit/i);
  });

  it('gives up after PROBE_TIMEOUT_MS on a server that never answers', async () => {
    const result = await probe(body({ baseUrl: hang.baseUrl }));
    expect(result).toMatchObject({ ok: false, status: 'timeout', httpStatus: null });
    expect(result.message).toContain(`${PROBE_TIMEOUT_MS} ms`);
    // undici's own headers timer (same budget) is coarse: it may fire a little before the deadline.
    expect(result.latencyMs).toBeGreaterThanOrEqual(PROBE_TIMEOUT_MS / 2);
    expect(result.latencyMs).toBeLessThan(PROBE_TIMEOUT_MS + 2000);
  });

  it('reports a closed port as network_error', async () => {
    const result = await probe(body({ baseUrl: closedPortUrl }));
    expect(result).toMatchObject({ ok: false, status: 'network_error', httpStatus: null });
    expect(result.message).toMatch(/refused/);
  });

  it('reports https:// to a plain-HTTP server as a TLS network_error', async () => {
    const result = await probe(body({ baseUrl: fake.baseUrl.replace('http://', 'https://') }));
    expect(result).toMatchObject({ ok: false, status: 'network_error', httpStatus: null });
    expect(result.message).toMatch(/TLS/);
    expect(result.message).toMatch(/http:\/\//);
  });
});

// ---------------------------------------------------------------- transport details

const OPENSSL = spawnSync('openssl', ['version']).status === 0;

describe('POST /byok/test, transport failures', () => {
  it.runIf(OPENSSL)('reports a self-signed certificate as a TLS network_error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'probe-tls-'));
    try {
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
        '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      ], { stdio: 'ignore' });
      const server = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"data":[]}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = server.address() as AddressInfo;
        const result = await probe({ provider: 'openai', apiKey: 'probe-openai-key-7f3a9c1e2b', baseUrl: `https://127.0.0.1:${port}/v1` });
        expect(result).toMatchObject({ ok: false, status: 'network_error', httpStatus: null });
        expect(result.message).toMatch(/TLS certificate .* not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
        expect(result.message).toMatch(/NODE_EXTRA_CA_CERTS/);
      } finally {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a host name that does not resolve as network_error, not a 400', async () => {
    const result = await probe({ provider: 'openai', apiKey: 'probe-openai-key-7f3a9c1e2b', baseUrl: 'https://api.does-not-exist.invalid/v1' });
    expect(result).toMatchObject({ ok: false, status: 'network_error', httpStatus: null, models: null });
    expect(result.message).toMatch(/resolve/);
  });

  it('still refuses a malformed base URL with 400 invalid_base_url', async () => {
    const { status, json } = await call('POST', '/byok/test', { provider: 'openai', apiKey: 'probe-openai-key-7f3a9c1e2b', baseUrl: 'https://api.example.com/v1 x' });
    expect(status).toBe(400);
    expect(json.error.code).toBe('invalid_base_url');
  });
});

// ---------------------------------------------------------------- provider-specific answers

describe('POST /byok/test, provider-specific diagnoses', () => {
  let fake: Fake;
  beforeAll(async () => {
    fake = (await startOpenAiUpstream()) as Fake;
  });
  afterAll(async () => {
    await fake.close();
  });

  it('says a Developer API key on the GLM Coding Plan endpoint is on the wrong plan', async () => {
    fake.failNext(401, { error: { code: '1000', message: 'Authentication Failed' } });
    const result = await probe({ provider: 'zai', plan: 'coding', apiKey: 'probe-zai-key-0c4d8e', baseUrl: fake.baseUrl, model: 'glm-5.1' });
    expect(result).toMatchObject({ status: 'invalid_key', httpStatus: 401 });
    expect(result.message).toMatch(/Developer API key belongs on plan "developer"/);
  });

  it('says a Coding Plan key on the GLM Developer endpoint belongs on plan "coding"', async () => {
    fake.failNext(429, { error: { code: '1113', message: 'Insufficient balance or no resource package. Please recharge.' } });
    const result = await probe({ provider: 'zai', plan: 'developer', apiKey: 'probe-zai-key-0c4d8e', baseUrl: fake.baseUrl, model: 'glm-5.1' });
    expect(result).toMatchObject({ status: 'provider_error', httpStatus: 429 });
    expect(result.message).toMatch(/choose plan "coding"/);
    expect(result.message).toMatch(/billing|credit/);
  });

  it('says a Kimi Code key on the Moonshot Developer endpoint belongs on plan "code"', async () => {
    fake.failNext(401, { error: { type: 'invalid_authentication_error', message: 'Invalid Authentication' } });
    const result = await probe({ provider: 'moonshot', plan: 'developer', apiKey: 'probe-kimi-key-d00d11', baseUrl: fake.baseUrl, model: 'kimi-k2.6' });
    expect(result).toMatchObject({ status: 'invalid_key', httpStatus: 401 });
    expect(result.message).toMatch(/choose plan "code"/);
  });

  it('reminds that a plan key\'s listing does not prove the plan', async () => {
    const result = await probe({ provider: 'zai', plan: 'coding', apiKey: 'probe-zai-key-0c4d8e', baseUrl: fake.baseUrl, model: 'glm-5.1' });
    expect(result).toMatchObject({ ok: true, status: 'ok', modelFound: true });
    expect(result.message).toMatch(/mode "completion"/);
  });

  it('reports billing not enabled (402) as provider_error with what to do', async () => {
    fake.failNext(402, errorBody('Payment required: add a payment method.'));
    const result = await probe({ provider: 'deepseek', apiKey: 'probe-deepseek-key-a1b2c3', baseUrl: fake.baseUrl });
    expect(result).toMatchObject({ ok: false, status: 'provider_error', httpStatus: 402 });
    expect(result.message).toMatch(/enable billing/);
  });

  it('reports a 5xx as provider_error', async () => {
    fake.failNext(503, errorBody('Service temporarily unavailable'));
    const result = await probe({ provider: 'deepseek', apiKey: 'probe-deepseek-key-a1b2c3', baseUrl: fake.baseUrl });
    expect(result).toMatchObject({ ok: false, status: 'provider_error', httpStatus: 503 });
  });

  it('reports a base URL that answers without a model list as provider_error, pointing at the path', async () => {
    fake.failNext(200, '<html>welcome</html>');
    const result = await probe({ provider: 'openai_compatible', apiKey: 'probe-openai-key-7f3a9c1e2b', baseUrl: fake.baseUrl });
    expect(result).toMatchObject({ ok: false, status: 'provider_error', httpStatus: 200 });
    expect(result.message).toMatch(/base URL/);
  });

  it('reports a redirect (never followed) as endpoint_not_found, pointing at the base URL', async () => {
    fake.failNext(301, '', { location: 'https://api.example.com/v1/models' });
    const result = await probe({ provider: 'openai', apiKey: 'probe-openai-key-7f3a9c1e2b', baseUrl: fake.baseUrl });
    expect(result).toMatchObject({ ok: false, status: 'endpoint_not_found', httpStatus: 301 });
    expect(result.message).toMatch(/redirect to https:\/\/api\.example\.com\/v1\/models/);
    expect(result.message).toMatch(/does not follow redirects/);
  });

  it('says honestly that Perplexity publishes no chat model list', async () => {
    const before = fake.requests.length;
    const result = await probe({ provider: 'perplexity', apiKey: 'probe-pplx-key-77aa00', baseUrl: fake.baseUrl, model: 'sonar-pro' });
    expect(result).toMatchObject({ ok: true, status: 'ok', models: null, modelFound: null });
    expect(result.message).toMatch(/no list of its chat models/);
    expect(fake.requests.slice(before).map((r) => r.method)).toEqual(['GET']);
  });

  it('reports a Gemini key Google does not know (400 API_KEY_INVALID) as invalid_key', async () => {
    const gemini = await startGeminiUpstream();
    try {
      const result = await probe({ provider: 'google', apiKey: 'bad-key', baseUrl: gemini.baseUrl, model: 'gemini-2.5-flash' });
      expect(result).toMatchObject({ ok: false, status: 'invalid_key', httpStatus: 400 });
      expect(result.message).toMatch(/without spaces, quotes or line breaks/);
    } finally {
      await gemini.close();
    }
  });

  it('trims whitespace, quotes and a trailing newline from a pasted key before testing', async () => {
    const before = fake.requests.length;
    const result = await probe({ provider: 'openai', apiKey: '  "probe-openai-key-7f3a9c1e2b"\n', baseUrl: fake.baseUrl, model: 'gpt-4.1' });
    expect(result.status).toBe('ok');
    expect(fake.requests[before].headers.authorization).toBe('Bearer probe-openai-key-7f3a9c1e2b');
  });

  it('refuses a configuration the probe cannot be built from with 400, before any call', async () => {
    const { status, json } = await call('POST', '/byok/test', { provider: 'azure_openai', apiKey: 'probe-azure-key-93c1de' });
    expect(status).toBe(400);
    expect(json.error.code).toBe('base_url_required');
    expect(json.error.message).toMatch(/endpoint/);
    const save = await call('PUT', '/byok/probe-incomplete/main?test=true', { provider: 'azure_openai', model: 'gpt-4o', apiKey: 'probe-azure-key-93c1de' });
    expect(save.status).toBe(400);
    expect((await call('GET', '/byok/probe-incomplete')).json.main).toBeNull();
  });

  it('refuses an unknown provider with 400 listing the known ones', async () => {
    const { status, json } = await call('POST', '/byok/test', { provider: 'nope', apiKey: 'x' });
    expect(status).toBe(400);
    expect(json.error.code).toBe('unknown_provider');
    expect(json.error.message).toContain('anthropic');
  });
});

// ---------------------------------------------------------------- mode "completion"

describe('POST /byok/test with mode "completion"', () => {
  let fake: Fake;
  beforeAll(async () => {
    fake = (await startOpenAiUpstream()) as Fake;
  });
  afterAll(async () => {
    await fake.close();
  });
  const body = (extra: Record<string, unknown> = {}) => ({
    provider: 'deepseek',
    apiKey: 'probe-deepseek-key-a1b2c3',
    baseUrl: fake.baseUrl,
    model: 'deepseek-chat',
    mode: 'completion',
    ...extra,
  });

  it('makes exactly one minimal chat call with the slot settings and reports ok', async () => {
    const before = fake.requests.length;
    const result = await probe(body({ settings: { reasoning: { level: 'high' } } }));
    expect(result).toMatchObject({ ok: true, status: 'ok', httpStatus: 200, modelFound: true });
    const sent = fake.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0].method).toBe('POST');
    expect(sent[0].path).toBe('/chat/completions');
    expect(sent[0].body.model).toBe('deepseek-chat');
    expect(sent[0].body.stream).not.toBe(true);
    expect(sent[0].body.thinking).toEqual({ type: 'enabled' });
  });

  it('reports a model the provider does not know (404) as model_not_found', async () => {
    fake.failNext(404, { error: { message: 'The model `deepseek-chatt` does not exist or you do not have access to it.', type: 'invalid_request_error', code: 'model_not_found' } });
    const result = await probe(body({ model: 'deepseek-chatt' }));
    expect(result).toMatchObject({ ok: false, status: 'model_not_found', httpStatus: 404, modelFound: false });
    expect(result.message).toContain('deepseek-chatt');
  });

  it('reports a vendor\'s 400 "Model Not Exist" as model_not_found too', async () => {
    fake.failNext(400, { error: { message: 'Model Not Exist', type: 'invalid_request_error', param: null, code: 'invalid_request_error' } });
    const result = await probe(body({ model: 'deepseek-chatt' }));
    expect(result).toMatchObject({ ok: false, status: 'model_not_found', httpStatus: 400 });
  });

  it('reports a setting the model rejects (400) as provider_error naming the settings', async () => {
    fake.failNext(400, { error: { message: 'thinking is not supported with tool_choice', type: 'invalid_request_error' } });
    const result = await probe(body());
    expect(result).toMatchObject({ ok: false, status: 'provider_error', httpStatus: 400 });
    expect(result.message).toMatch(/settings/);
  });

  it('reports a rejected key as invalid_key', async () => {
    fake.failNext(401, errorBody('Authentication Fails, Your api key is invalid'));
    const result = await probe(body());
    expect(result).toMatchObject({ ok: false, status: 'invalid_key', httpStatus: 401 });
  });

  it('times out on a server that never answers', async () => {
    const result = await probe(body({ baseUrl: hang.baseUrl }));
    expect(result).toMatchObject({ ok: false, status: 'timeout', httpStatus: null });
  });

  it('needs a model', async () => {
    const { status, json } = await call('POST', '/byok/test', body({ model: undefined }));
    expect(status).toBe(400);
    expect(json.error.param).toBe('model');
  });
});

// ---------------------------------------------------------------- stored slots

describe('POST /byok/test for a stored slot', () => {
  let fake: Fake;
  const orgId = 'probe-stored-org';
  const key = 'probe-stored-key-58e0aa41';
  beforeAll(async () => {
    SECRETS.add(key);
    fake = (await startOpenAiUpstream()) as Fake;
    const put = await call('PUT', `/byok/${orgId}/main`, { provider: 'openai', model: 'gpt-4.1', apiKey: key, baseUrl: fake.baseUrl });
    expect(put.status).toBe(201);
  });
  afterAll(async () => {
    await fake.close();
  });

  it('probes the stored key with its stored model', async () => {
    const before = fake.requests.length;
    const result = await probe({ orgId, slot: 'main' });
    expect(result).toMatchObject({ ok: true, status: 'ok', modelFound: true });
    expect(fake.requests[before].headers.authorization).toBe(`Bearer ${key}`);
    expect(chatRequests(fake)).toHaveLength(0);
  });

  it('never counts a failed probe toward soft-disable', async () => {
    for (let i = 0; i < 4; i++) {
      fake.failNext(401, errorBody('Incorrect API key provided.'));
      expect((await probe({ orgId, slot: 'main' })).status).toBe('invalid_key');
    }
    fake.failNext(401, errorBody('Incorrect API key provided.'));
    expect((await probe({ orgId, slot: 'main', mode: 'completion' })).status).toBe('invalid_key');
    const { json } = await call('GET', `/byok/${orgId}`);
    expect(json.main).toMatchObject({ status: 'active', consecutiveAuthFailures: 0, disabledReason: null });
    const audit = await call('GET', `/byok/${orgId}/audit`);
    expect(audit.json.data.map((e: any) => e.action)).toEqual(['store']);
  });

  it('makes one chat call with the stored settings in mode "completion"', async () => {
    const before = fake.requests.length;
    const result = await probe({ orgId, slot: 'main', mode: 'completion' });
    expect(result).toMatchObject({ ok: true, status: 'ok' });
    expect(fake.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual(['POST /chat/completions']);
  });

  it('answers 404 slot_not_configured for an empty slot', async () => {
    const { status, json } = await call('POST', '/byok/test', { orgId, slot: 'fallback' });
    expect(status).toBe(404);
    expect(json.error.code).toBe('slot_not_configured');
  });

  it('refuses an invalid slot or org id with 400', async () => {
    expect((await call('POST', '/byok/test', { orgId, slot: 'third' })).status).toBe(400);
    expect((await call('POST', '/byok/test', { orgId: 'bad org', slot: 'main' })).status).toBe(400);
  });
});

// ---------------------------------------------------------------- Test & save

describe('PUT /byok/:orgId/:slot?test=true (Test & save)', () => {
  let fake: Fake;
  const goodKey = 'probe-save-key-good-1a2b3c';
  const newKey = 'probe-save-key-new-4d5e6f';
  beforeAll(async () => {
    SECRETS.add(goodKey);
    SECRETS.add(newKey);
    fake = (await startOpenAiUpstream()) as Fake;
  });
  afterAll(async () => {
    await fake.close();
  });
  const slot = (extra: Record<string, unknown> = {}) => ({ provider: 'openai', model: 'gpt-4.1', apiKey: goodKey, baseUrl: fake.baseUrl, ...extra });

  it('stores nothing when the key is rejected: 422 key_test_failed with the probe result', async () => {
    const orgId = 'probe-save-rejected';
    fake.failNext(401, errorBody(`Incorrect API key provided: ${goodKey}`));
    const { status, json } = await call('PUT', `/byok/${orgId}/main?test=true`, slot());
    expect(status).toBe(422);
    expect(json.error.code).toBe('key_test_failed');
    expectProbeShape(json.error.probe);
    expect(json.error.probe).toMatchObject({ ok: false, status: 'invalid_key', httpStatus: 401 });
    expect(json.error.message).toMatch(/Nothing was stored/);
    expect((await call('GET', `/byok/${orgId}`)).json).toMatchObject({ source: 'none', main: null, fallback: null });
    expect((await call('GET', `/byok/${orgId}/audit`)).json.data).toEqual([]);
  });

  it('stores nothing when the model id is not listed, and lists the models', async () => {
    const orgId = 'probe-save-typo';
    const { status, json } = await call('PUT', `/byok/${orgId}/main?test=true`, slot({ model: 'gpt-4.1-mnii' }));
    expect(status).toBe(422);
    expect(json.error.probe).toMatchObject({ status: 'model_not_found', modelFound: false });
    expect(json.error.probe.models).toContain('gpt-4.1');
    expect(json.error.probe.message).toMatch(/Did you mean: .*gpt-4\.1/);
    expect((await call('GET', `/byok/${orgId}`)).json.main).toBeNull();
  });

  it('stores nothing when the provider cannot be reached', async () => {
    const orgId = 'probe-save-timeout';
    const { status, json } = await call('PUT', `/byok/${orgId}/main?test=true`, slot({ baseUrl: hang.baseUrl }));
    expect(status).toBe(422);
    expect(json.error.probe.status).toBe('timeout');
    expect((await call('GET', `/byok/${orgId}`)).json.main).toBeNull();
  });

  it('stores a pasted key trimmed of quotes and whitespace when the probe passes; the hint shows what was stored', async () => {
    const orgId = 'probe-save-ok';
    const before = fake.requests.length;
    const { status, json } = await call('PUT', `/byok/${orgId}/main?test=true`, slot({ apiKey: `\t'${goodKey}'\r\n` }));
    expect(status).toBe(201);
    expect(json.key).toMatchObject({ hint: keyHint(goodKey), fingerprint: keyFingerprint(goodKey) });
    expect(fake.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual(['GET /models']);
    expect(fake.requests[before].headers.authorization).toBe(`Bearer ${goodKey}`);
    const audit = await call('GET', `/byok/${orgId}/audit`);
    expect(audit.json.data).toHaveLength(1);
    expect(audit.json.data[0]).toMatchObject({ action: 'store', detail: { tested: true } });
  });

  it('leaves the old config and audit trail intact when a replacement fails its test', async () => {
    const orgId = 'probe-save-replace';
    expect((await call('PUT', `/byok/${orgId}/main`, slot())).status).toBe(201);
    const before = (await call('GET', `/byok/${orgId}`)).json.main;

    fake.failNext(401, errorBody('Incorrect API key provided.'));
    const failed = await call('PUT', `/byok/${orgId}/main?test=true`, slot({ apiKey: newKey, model: 'gpt-5.4', settings: { temperature: 0.1 } }));
    expect(failed.status).toBe(422);
    expect(failed.json.error.probe.status).toBe('invalid_key');

    const after = (await call('GET', `/byok/${orgId}`)).json.main;
    expect(after).toEqual(before);
    expect(after.key.fingerprint).toBe(keyFingerprint(goodKey));
    expect(after.model).toBe('gpt-4.1');
    expect((await call('GET', `/byok/${orgId}/audit`)).json.data.map((e: any) => e.action)).toEqual(['store']);

    // The old key still serves: a probe of the stored slot uses it.
    const sentBefore = fake.requests.length;
    expect((await probe({ orgId, slot: 'main' })).status).toBe('ok');
    expect(fake.requests[sentBefore].headers.authorization).toBe(`Bearer ${goodKey}`);
  });

  it('replaces the slot (200, audit rotate) when the new key passes', async () => {
    const orgId = 'probe-save-rotate';
    expect((await call('PUT', `/byok/${orgId}/main`, slot())).status).toBe(201);
    const { status, json } = await call('PUT', `/byok/${orgId}/main?test=true`, slot({ apiKey: newKey }));
    expect(status).toBe(200);
    expect(json.key.fingerprint).toBe(keyFingerprint(newKey));
    expect((await call('GET', `/byok/${orgId}/audit`)).json.data.map((e: any) => e.action)).toEqual(['rotate', 'store']);
  });

  it('checks the slot order before spending a probe', async () => {
    const before = fake.requests.length;
    const { status, json } = await call('PUT', '/byok/probe-save-order/fallback?test=true', slot());
    expect(status).toBe(409);
    expect(json.error.code).toBe('main_required');
    expect(fake.requests.length).toBe(before);
  });
});

// ---------------------------------------------------------------- last: the logs

describe('logs', () => {
  it('never contain a key that was tested or stored', () => {
    const logs = gateway.logs.join('');
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of SECRETS) expect(logs).not.toContain(secret);
  });
});
