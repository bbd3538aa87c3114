// Hostile and bad input: body size limits, deep nesting, huge arrays, bytes that are not
// UTF-8, header injection through org ids and base URLs, and base URLs that point at
// link-local, cloud metadata or (when the operator says so) private addresses. Every
// answer is a 4xx in the contract's shape, never a 5xx, and the gateway keeps serving.
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { startHostileUpstream, type HostileUpstream } from './helpers/hostile-upstream.js';
import { contractError, createTestClient, type TestClient } from './helpers/http-client.js';

const SMALL_BODY_LIMIT = 64 * 1024;

let gateway: TestGateway;
/** UPSTREAM_BLOCK_PRIVATE_NETWORKS=true, a small body limit, and an env Fixed Mode on a loopback upstream. */
let strict: TestGateway;
let hostile: HostileUpstream;
let client: TestClient;

beforeAll(async () => {
  hostile = await startHostileUpstream();
  client = createTestClient();
  gateway = await startTestGateway({ storage: 'postgres' });
  strict = await startTestGateway({
    storage: 'pglite',
    env: {
      UPSTREAM_BLOCK_PRIVATE_NETWORKS: 'true',
      BODY_LIMIT_BYTES: String(SMALL_BODY_LIMIT),
      BYOK_MAIN_PROVIDER: 'openai_compatible',
      BYOK_MAIN_MODEL: 'env-model',
      BYOK_MAIN_API_KEY: 'sk-env-fixed-mode-key-0001',
      BYOK_MAIN_BASE_URL: hostile.baseUrl('env-loopback'),
    },
  });
  const put = await gateway.app.inject({ method: 'PUT', url: '/byok/input-org/main', headers: gateway.admin, payload: slot(hostile.baseUrl('input')) });
  expect(put.statusCode, put.body).toBe(201);
});

afterAll(async () => {
  await gateway?.close();
  await gateway?.storage.close();
  await strict?.close(); // closes its PGlite too
  await client?.close();
  await hostile?.close();
});

function slot(baseUrl: string, extra: Record<string, unknown> = {}) {
  return { provider: 'openai_compatible', model: 'up-model', apiKey: 'sk-input-test-key-0001', baseUrl, ...extra };
}

type Injected = Awaited<ReturnType<TestGateway['app']['inject']>>;

/** A 4xx (not 5xx) in the contract's shape with this code. */
function expectRefused(res: Injected | { statusCode: number; body: string }, status: number, code?: string): void {
  expect(res.statusCode, res.body.slice(0, 300)).toBe(status);
  const body = contractError(res.body);
  if (code) expect(body.error.code).toBe(code);
}

async function stillServes(app: TestGateway = gateway): Promise<void> {
  const res = await app.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: app.service('input-org'), payload: { messages: [{ role: 'user', content: 'still there?' }] } });
  expect(res.statusCode, res.body).toBe(app === gateway ? 200 : 502);
}

/** Sends bytes on a raw socket and returns everything the server answers. */
function rawHttp(url: string, bytes: Buffer): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(bytes));
    let answer = '';
    socket.on('data', (data: Buffer) => (answer += data.toString('utf8')));
    socket.on('error', () => {});
    socket.on('close', () => resolve(answer));
    setTimeout(() => socket.destroy(), 2_000).unref();
  });
}

function parseRaw(answer: string): { statusCode: number; headers: string; body: string } {
  const [head, ...rest] = answer.split('\r\n\r\n');
  return { statusCode: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), headers: head, body: rest.join('\r\n\r\n') };
}

// ------------------------------------------------------------------ body size

describe('body size limits', () => {
  const big = (bytes: number) => JSON.stringify({ messages: [{ role: 'user', content: 'x'.repeat(bytes) }] });

  it.each([
    ['POST', '/v1/chat/completions', 'service'],
    ['PUT', '/byok/size-org/main', 'admin'],
    ['PATCH', '/byok/size-org/main', 'admin'],
    ['POST', '/byok/test', 'admin'],
  ])('%s %s over the limit is 413 payload_too_large', async (method, url, who) => {
    const headers = who === 'admin' ? strict.admin : strict.service('size-org');
    const res = await strict.app.inject({ method: method as 'POST', url, headers, payload: big(SMALL_BODY_LIMIT) });
    expectRefused(res, 413, 'payload_too_large');
  });

  it('a chunked body (no Content-Length) over the limit is 413 too', async () => {
    const payload = Readable.from([Buffer.from('{"messages":[{"role":"user","content":"'), Buffer.alloc(SMALL_BODY_LIMIT, 0x61), Buffer.from('"}]}')]);
    const res = await strict.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: strict.service('size-org'), payload });
    expectRefused(res, 413, 'payload_too_large');
  });

  it('over real HTTP, the caller reads the 413 in the contract shape', async () => {
    const res = await client.send(`${strict.url}/v1/chat/completions`, { method: 'POST', headers: strict.service('size-org'), body: big(SMALL_BODY_LIMIT) });
    expect(res.status).toBe(413);
    expect(contractError(res.text).error.code).toBe('payload_too_large');
  });

  it('a body just under the limit is accepted', async () => {
    const res = await strict.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: strict.service('size-org'), payload: big(SMALL_BODY_LIMIT - 100) });
    // The env Fixed Mode slot answers (its loopback upstream is refused at connect time: 502).
    expect(res.statusCode).not.toBe(413);
    expect(res.statusCode).toBeLessThan(503);
  });

  it('the default limit (20 MiB) holds too', async () => {
    const res = await gateway.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: gateway.service('input-org'), payload: big(20 * 1024 * 1024) });
    expectRefused(res, 413, 'payload_too_large');
    await stillServes();
  });
});

// ------------------------------------------------------------------ nesting and size of structures

describe('deeply nested JSON', () => {
  const arrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
  const objects = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
  const CHAT_PLACES: Array<[string, (nested: string) => string]> = [
    ['an unknown top-level field', (n) => `{"messages":[{"role":"user","content":"hi"}],"extra":${n}}`],
    ['a field of a message', (n) => `{"messages":[{"role":"user","content":"hi","meta":${n}}]}`],
    ['a tool schema', (n) => `{"messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","x":${n}}}}]}`],
    ['a response_format schema', (n) => `{"messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema","json_schema":{"name":"s","schema":${n}}}}`],
    ['message content', (n) => `{"messages":[{"role":"user","content":${n}}]}`],
  ];

  it.each(CHAT_PLACES)('in %s: 400 at depth 100,000, never a 5xx', async (_where, build) => {
    for (const nested of [arrays(100_000), objects(100_000), arrays(5_000)]) {
      const res = await gateway.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: gateway.service('input-org'), payload: build(nested) });
      expect(res.statusCode, res.body.slice(0, 300)).toBe(400);
      contractError(res.body);
    }
    await stillServes();
  });

  it('a tool schema nested 40 levels deep (a real, deep schema) still goes through', async () => {
    const res = await gateway.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: gateway.service('input-org'),
      payload: `{"messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","x":${objects(40)}}}}]}`,
    });
    expect(res.statusCode, res.body).toBe(200);
  });

  it.each([
    ['PUT', '/byok/nest-org/main'],
    ['POST', '/byok/test'],
  ])('%s %s: a reasoning override nested 100,000 levels deep is 400 invalid_reasoning_override', async (method, url) => {
    for (const nested of [objects(100_000), `{"a":${arrays(100_000)}}`, `"${objects(5_000).replace(/"/g, '\\"')}"`]) {
      const body = JSON.stringify(slot(hostile.baseUrl('nest'))).replace(/}$/, `,"settings":{"reasoning":{"level":"custom","custom":${nested}}}}`);
      const res = await gateway.app.inject({ method: method as 'PUT', url, headers: gateway.admin, payload: body });
      expectRefused(res, 400, 'invalid_reasoning_override');
    }
  });

  it('PATCH: the same override is refused without touching the stored slot', async () => {
    const res = await gateway.app.inject({
      method: 'PATCH',
      url: '/byok/input-org/main',
      headers: gateway.admin,
      payload: `{"settings":{"reasoning":{"level":"custom","custom":${objects(100_000)}}}}`,
    });
    expectRefused(res, 400, 'invalid_reasoning_override');
    await stillServes();
  });
});

describe('huge arrays', () => {
  it('10,000 messages reach the upstream; 10,001 are refused with 400', async () => {
    const messages = (n: number) => Array.from({ length: n }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `message ${i}` }));
    const ok = await gateway.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: gateway.service('input-org'), payload: { messages: messages(10_000) } });
    expect(ok.statusCode, ok.body.slice(0, 300)).toBe(200);
    expect(hostile.calls.at(-1)?.body.messages).toHaveLength(10_000);
    const tooMany = await gateway.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: gateway.service('input-org'), payload: { messages: messages(10_001) } });
    expectRefused(tooMany, 400, 'invalid_request');
  });

  it('513 tools, 17 stop sequences and 1,001 content parts are refused with 400', async () => {
    const tools = Array.from({ length: 513 }, (_, i) => ({ type: 'function', function: { name: `f${i}` } }));
    const parts = Array.from({ length: 1_001 }, () => ({ type: 'text', text: 'x' }));
    for (const body of [
      { messages: [{ role: 'user', content: 'hi' }], tools },
      { messages: [{ role: 'user', content: 'hi' }], stop: Array.from({ length: 17 }, (_, i) => `s${i}`) },
      { messages: [{ role: 'user', content: parts }] },
      { messages: [] },
    ]) {
      expectRefused(await gateway.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: gateway.service('input-org'), payload: body }), 400, 'invalid_request');
    }
  });

  it('a single 5 MB message goes through', async () => {
    const res = await gateway.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: gateway.service('input-org'), payload: { messages: [{ role: 'user', content: 'z'.repeat(5 * 1024 * 1024) }] } });
    expect(res.statusCode).toBe(200);
  });
});

// ------------------------------------------------------------------ bytes that are not UTF-8

describe('bytes that are not UTF-8', () => {
  it('in a JSON body: answered without a 5xx', async () => {
    const bodies = [
      Buffer.concat([Buffer.from('{"messages":[{"role":"user","content":"h'), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]), Buffer.from('"}]}')]),
      Buffer.from('{"messages":[{"role":"user","content":"hi"}]}', 'utf16le'),
      Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from('{"messages":[{"role":"user","content":"bom"}]}')]),
      Buffer.from([0x00, 0x00, 0x00, 0x7b]),
      Buffer.from('{"messages":[{"role":"user","content":"\\ud800 lone surrogate"}]}'),
    ];
    for (const payload of bodies) {
      for (const contentType of ['application/json', 'application/json; charset=latin1', 'application/json; charset=utf-16']) {
        const res = await gateway.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { ...gateway.service('input-org'), 'content-type': contentType }, payload });
        expect(res.statusCode, res.body.slice(0, 200)).toBeLessThan(500);
        if (res.statusCode >= 400) contractError(res.body);
      }
      const put = await gateway.app.inject({ method: 'PUT', url: '/byok/bytes-org/main', headers: gateway.admin, payload });
      expect(put.statusCode, put.body.slice(0, 200)).toBe(400);
      contractError(put.body);
    }
  });

  it('in a header: the org id is refused with 400 invalid_org_id', async () => {
    const head = Buffer.concat([
      Buffer.from(`POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ${gateway.service('x').authorization.slice(7)}\r\nContent-Type: application/json\r\nX-Org-Id: org`),
      Buffer.from([0xff, 0xc3, 0xa9]),
      Buffer.from('\r\nContent-Length: 45\r\nConnection: close\r\n\r\n{"messages":[{"role":"user","content":"hi"}]}'),
    ]);
    const res = parseRaw(await rawHttp(gateway.url, head));
    expectRefused(res, 400, 'invalid_org_id');
  });

  it('in the path: percent-encoded or raw, a 400 in the contract shape', async () => {
    const encoded = await gateway.app.inject({ method: 'GET', url: '/byok/%FF%FE/usage', headers: gateway.admin });
    expectRefused(encoded, 400, 'invalid_url');
    const truncated = await gateway.app.inject({ method: 'GET', url: '/byok/org%E0%A4', headers: gateway.admin });
    expectRefused(truncated, 400, 'invalid_url');
    const raw = parseRaw(await rawHttp(gateway.url, Buffer.concat([Buffer.from('GET /byok/'), Buffer.from([0xff, 0xfe]), Buffer.from(`/usage HTTP/1.1\r\nHost: gw\r\nAuthorization: ${gateway.admin.authorization}\r\n\r\n`)])));
    expectRefused(raw, 400, 'malformed_request');
  });
});

// ------------------------------------------------------------------ header injection

describe('header injection', () => {
  const BAD_ORG_IDS = ['org\u0000', 'org id', 'org/../x', '../etc', '.org', '-org', '', 'a'.repeat(129), 'ørg', 'org%0d%0aSet-Cookie:%20x=1', 'org\u2028x', 'org;drop'];

  it.each(BAD_ORG_IDS.map((id) => [JSON.stringify(id), id]))('the org id %s is refused with 400 invalid_org_id, in the header and in the path', async (_label, id) => {
    const chat = await gateway.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { ...gateway.service('x'), 'x-org-id': id }, payload: { messages: [{ role: 'user', content: 'hi' }] } });
    expectRefused(chat, 400, 'invalid_org_id');
    if (id === '' || id.includes('/')) return;
    const put = await gateway.app.inject({ method: 'PUT', url: `/byok/${encodeURIComponent(id)}/main`, headers: gateway.admin, payload: slot(hostile.baseUrl('x')) });
    expectRefused(put, 400, 'invalid_org_id');
    expect(put.headers['set-cookie']).toBeUndefined();
  });

  it('an org id of 128 characters is accepted everywhere; a path segment far too long is 414 in the contract shape', async () => {
    const longest = `o${'x'.repeat(127)}`;
    const put = await gateway.app.inject({ method: 'PUT', url: `/byok/${longest}/main`, headers: gateway.admin, payload: slot(hostile.baseUrl('long')) });
    expect(put.statusCode, put.body).toBe(201);
    for (const url of [`/byok/${longest}`, `/byok/${longest}/usage`, `/byok/${longest}/audit`]) {
      expect((await gateway.app.inject({ method: 'GET', url, headers: gateway.admin })).statusCode, url).toBe(200);
    }
    const chat = await gateway.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: gateway.service(longest), payload: { messages: [{ role: 'user', content: 'hi' }] } });
    expect(chat.statusCode, chat.body).toBe(200);
    expectRefused(await gateway.app.inject({ method: 'GET', url: `/byok/${'a'.repeat(129)}`, headers: gateway.admin }), 400, 'invalid_org_id');
    expectRefused(await gateway.app.inject({ method: 'GET', url: `/byok/${'a'.repeat(5_000)}`, headers: gateway.admin }), 414);
  });

  it('a line break or other control byte in a raw header is refused in the contract shape', async () => {
    for (const value of ['org\rX-Injected: 1', 'org\nX-Injected: 1', 'org\u0000']) {
      const res = parseRaw(await rawHttp(gateway.url, Buffer.from(`GET /v1/models HTTP/1.1\r\nHost: gw\r\nAuthorization: ${gateway.service('x').authorization}\r\nX-Org-Id: ${value}\r\n\r\n`, 'latin1')));
      expect(res.statusCode, res.body).toBe(400);
      contractError(res.body);
      expect(res.headers.toLowerCase()).not.toContain('x-injected');
    }
  });

  it('a request id that is not a plain token is not echoed', async () => {
    const res = await gateway.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': '<script>alert(1)</script>' } });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a base URL, model, key or credential carrying a line break is refused', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [slot(`${hostile.baseUrl('inj')}\r\nX-Injected: 1`), 'invalid_base_url'],
      [slot(`${hostile.baseUrl('inj')}\nX-Injected: 1`), 'invalid_base_url'],
      [slot(`${hostile.baseUrl('inj')}\u0085x`), 'invalid_base_url'],
      [slot(`${hostile.baseUrl('inj')}\tx`), 'invalid_base_url'],
      [slot(hostile.baseUrl('inj'), { model: 'm\r\nX-Injected: 1' }), 'invalid_request'],
      [slot(hostile.baseUrl('inj'), { apiKey: 'sk-abcdefgh\r\nX-Injected: 1' }), 'invalid_api_key'],
      [{ provider: 'azure_openai', model: 'gpt', apiKey: 'azure-key-0001', baseUrl: hostile.baseUrl('inj'), credentials: { deployment: 'd\r\nX-Injected: 1' } }, 'invalid_credentials'],
    ];
    for (const [body, code] of cases) {
      for (const [method, url] of [
        ['PUT', '/byok/inject-org/main'],
        ['POST', '/byok/test'],
      ] as const) {
        const res = await gateway.app.inject({ method, url, headers: gateway.admin, payload: body });
        expectRefused(res, 400, code);
      }
    }
  });

  it('a base URL with percent-encoded line breaks stays one request line: no header reaches the upstream', async () => {
    const baseUrl = `${hostile.baseUrl('inj')}%0d%0aX-Injected:%201`;
    const put = await gateway.app.inject({ method: 'PUT', url: '/byok/inject-encoded/main', headers: gateway.admin, payload: slot(baseUrl) });
    if (put.statusCode === 201) {
      const res = await gateway.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: gateway.service('inject-encoded'), payload: { messages: [{ role: 'user', content: 'hi' }] } });
      expect(res.statusCode).toBeLessThan(503);
    } else {
      expectRefused(put, 400, 'invalid_base_url');
    }
    expect(hostile.calls.filter((c) => c.headers['x-injected'] !== undefined)).toEqual([]);
  });
});

// ------------------------------------------------------------------ base URLs (SSRF)

const ALWAYS_REFUSED = [
  'http://169.254.169.254/latest/meta-data',
  'https://169.254.169.254',
  'http://169.254.169.254./v1',
  'http://169.254.170.2/v2/credentials',
  'http://2852039166/',
  'http://0xa9fea9fe/',
  'http://0xA9.0xFE.0xA9.0xFE/',
  'http://0251.0376.0251.0376/',
  'http://0xa9.254.169.254/',
  'http://169.254.43518/',
  'http://[::ffff:169.254.169.254]/',
  'http://[::ffff:a9fe:a9fe]/',
  'http://[0:0:0:0:0:ffff:a9fe:a9fe]/',
  'http://[::169.254.169.254]/',
  'http://[64:ff9b::a9fe:a9fe]/',
  'http://[2002:a9fe:a9fe::1]/',
  'http://[fe80::1]/',
  'http://[fe80::a9fe:a9fe]/',
  'http://[fd00:ec2::254]/',
  'http://100.100.100.200/',
  'http://[::ffff:100.100.100.200]/',
  'http://168.63.129.16/',
  'http://192.0.0.192/',
  'http://metadata.google.internal/computeMetadata/v1',
  'http://METADATA.GOOGLE.INTERNAL./',
  'http://metadata/',
  'http://metadata.goog/',
  'http://instance-data/',
  'http://0.0.0.0/',
  'http://0/',
  'http://[::]/',
  'http://224.0.0.1/',
  'http://255.255.255.255/',
  'http://[ff02::1]/',
];

const PRIVATE = [
  'http://10.0.0.1/v1',
  'http://172.16.5.4/v1',
  'http://192.168.1.1/v1',
  'http://127.0.0.1:11434/v1',
  'http://127.1/v1',
  'http://2130706433/',
  'http://0x7f000001/',
  'http://localhost:11434/v1',
  'http://[::1]:8000/v1',
  'http://[::ffff:127.0.0.1]/',
  'http://[::ffff:10.0.0.1]/',
  'http://100.64.0.1/',
  'http://[fd12:3456::1]/',
];

describe('base URLs', () => {
  it.each(ALWAYS_REFUSED)('%s is refused at PUT, PATCH and probe time (400 invalid_base_url), whatever the private-network setting', async (baseUrl) => {
    for (const app of [gateway, strict]) {
      const org = `ssrf-${app === gateway ? 'open' : 'strict'}`;
      expectRefused(await app.app.inject({ method: 'PUT', url: `/byok/${org}/main`, headers: app.admin, payload: { ...slot(baseUrl), confirmOverride: true } }), 400, 'invalid_base_url');
      expectRefused(await app.app.inject({ method: 'POST', url: '/byok/test', headers: app.admin, payload: slot(baseUrl) }), 400, 'invalid_base_url');
    }
    expectRefused(await gateway.app.inject({ method: 'PATCH', url: '/byok/input-org/main', headers: gateway.admin, payload: { baseUrl } }), 400, 'invalid_base_url');
  });

  it.each(PRIVATE)('%s is refused when UPSTREAM_BLOCK_PRIVATE_NETWORKS=true, allowed otherwise', async (baseUrl) => {
    expectRefused(await strict.app.inject({ method: 'PUT', url: '/byok/private-strict/main', headers: strict.admin, payload: { ...slot(baseUrl), confirmOverride: true } }), 400, 'invalid_base_url');
    expectRefused(await strict.app.inject({ method: 'POST', url: '/byok/test', headers: strict.admin, payload: slot(baseUrl) }), 400, 'invalid_base_url');
    const open = await gateway.app.inject({ method: 'PUT', url: '/byok/private-open/main', headers: gateway.admin, payload: slot(baseUrl) });
    expect(open.statusCode, open.body).toBeLessThan(300);
  });

  it('with private networks blocked, even an env Fixed Mode slot on loopback is refused at connect time', async () => {
    const before = hostile.calls.length;
    const res = await strict.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: strict.service('env-org'), payload: { messages: [{ role: 'user', content: 'hi' }] } });
    expectRefused(res, 502, 'upstream_error');
    expect(hostile.calls.length).toBe(before);
  });

  it('the refused URL is never contacted, and the message says what to fix', async () => {
    const res = await gateway.app.inject({ method: 'PUT', url: '/byok/ssrf-message/main', headers: gateway.admin, payload: slot('http://0xa9fea9fe/') });
    const body = contractError(res.body);
    expect(body.error.param).toBe('baseUrl');
    expect(body.error.message).toMatch(/link-local|metadata/);
  });
});

describe('JSON bodies are validated as sent, never coerced', () => {
  const chat = (body: Record<string, unknown>) => gateway.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: gateway.service('input-org'), payload: body });

  it('a content array with a single part is accepted (the OpenAI SDK sends one for every image message)', async () => {
    for (const content of [[{ type: 'text', text: 'hi' }], [{ type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }]]) {
      const res = await chat({ messages: [{ role: 'user', content }] });
      expect(res.statusCode, res.body).toBe(200);
      expect(hostile.calls.at(-1)?.body.messages[0].content).toEqual(content);
    }
  });

  it('explicit nulls stay nulls: no temperature or top_p of 0, no empty stop sequence', async () => {
    const res = await chat({ messages: [{ role: 'user', content: 'hi' }], temperature: null, top_p: null, stop: null, seed: null, max_tokens: null });
    expect(res.statusCode, res.body).toBe(200);
    const sent = hostile.calls.at(-1)?.body;
    for (const field of ['temperature', 'top_p', 'stop', 'seed', 'max_tokens']) expect([null, undefined], field).toContain(sent[field]);
  });

  it('a stop sequence given as a one-element array stays an array', async () => {
    expect((await chat({ messages: [{ role: 'user', content: 'hi' }], stop: ['END'] })).statusCode).toBe(200);
    expect(hostile.calls.at(-1)?.body.stop).toEqual(['END']);
  });

  it('strings are not taken for booleans or numbers', async () => {
    expectRefused(await chat({ messages: [{ role: 'user', content: 'hi' }], stream: 'true' }), 400, 'invalid_request');
    expectRefused(await chat({ messages: [{ role: 'user', content: 'hi' }], max_tokens: '100' }), 400, 'invalid_request');
  });

  it('a slot stored with "temperature": null keeps null (not 0)', async () => {
    const put = await gateway.app.inject({ method: 'PUT', url: '/byok/null-org/main', headers: gateway.admin, payload: slot(hostile.baseUrl('null'), { settings: { temperature: null, maxOutputTokens: null } }) });
    expect(put.statusCode, put.body).toBe(201);
    expect(JSON.parse(put.body).settings).toMatchObject({ temperature: null, maxOutputTokens: null });
    expect((await gateway.app.inject({ method: 'PUT', url: '/byok/null-org/main', headers: gateway.admin, payload: slot(hostile.baseUrl('null'), { confirmOverride: 'true' }) })).statusCode).toBe(400);
  });

  it('query strings still are: numbers and booleans arrive typed', async () => {
    expect((await gateway.app.inject({ method: 'GET', url: '/byok/input-org/usage?limit=5', headers: gateway.admin })).statusCode).toBe(200);
    expect((await gateway.app.inject({ method: 'GET', url: '/byok/input-org/audit?limit=5&before=1000', headers: gateway.admin })).statusCode).toBe(200);
    const tested = await gateway.app.inject({ method: 'PUT', url: '/byok/query-org/main?test=true', headers: gateway.admin, payload: slot(hostile.baseUrl('query')) });
    expect(tested.statusCode, tested.body).toBe(201);
  });
});

describe('queries', () => {
  it.each([
    '/byok/input-org/usage?limit=1e400',
    '/byok/input-org/usage?limit=-1e400',
    '/byok/input-org/usage?limit=0',
    '/byok/input-org/usage?limit=abc',
    '/byok/input-org/usage?since=0000-01-01T00:00:00Z',
    '/byok/input-org/usage?since=not-a-date',
    '/byok/input-org/audit?before=99999999999999999999999',
    '/byok/input-org/audit?before=1e400',
    '/byok/input-org/audit?limit=Infinity',
    '/byok/input-org/main?test=maybe',
  ])('%s is a 400, never a 5xx', async (url) => {
    const res = await gateway.app.inject({ method: url.includes('test=') ? 'PUT' : 'GET', url, headers: gateway.admin, payload: url.includes('test=') ? slot(hostile.baseUrl('q')) : undefined });
    expectRefused(res, 400);
  });
});
