// Real sockets, on 127.0.0.1 only. Every socket Node opens for the Agent is watched
// through the `net.client.socket` diagnostics channel; a connection attempt to anything
// but loopback throws before the connect syscall, so a broken guard fails the test
// loudly instead of sending a packet anywhere.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { request, type Agent } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BlockedAddressError, type LookupFn } from './network-guard.js';
import { createUpstreamAgent } from './upstream-agent.js';

const OPEN = { blockPrivateNetworks: false };
const STRICT = { blockPrivateNetworks: true };

interface Attempt {
  address: string;
  port: number;
}

const socketsOpened: Socket[] = [];
const attempts: Attempt[] = [];

function watchSocket(message: unknown): void {
  const { socket } = message as { socket: Socket };
  socketsOpened.push(socket);
  socket.on('connectionAttempt', (address: string, port: number) => {
    attempts.push({ address, port });
    if (address !== '127.0.0.1' && address !== '::1') {
      throw new Error(`test safety net: the guard let a connection to ${address}:${port} through`);
    }
  });
}

beforeAll(() => subscribe('net.client.socket', watchSocket));
afterAll(() => unsubscribe('net.client.socket', watchSocket));

interface Upstream {
  server: Server;
  port: number;
  connections: number;
  paths: string[];
}

async function startUpstream(): Promise<Upstream> {
  const upstream: Upstream = { server: createServer(), port: 0, connections: 0, paths: [] };
  upstream.server.on('connection', () => upstream.connections++);
  upstream.server.on('request', (req, res) => {
    upstream.paths.push(req.url ?? '');
    if (req.url === '/redirect') {
      res.writeHead(302, { location: `http://127.0.0.1:${upstream.port}/elsewhere` }).end();
    } else if (req.url === '/redirect-to-metadata') {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    } else if (req.url === '/close') {
      res.writeHead(200, { connection: 'close' }).end('bye');
    } else {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    }
  });
  await new Promise<void>((resolve) => upstream.server.listen(0, '127.0.0.1', resolve));
  upstream.port = (upstream.server.address() as AddressInfo).port;
  return upstream;
}

/** A resolver answering from a list of answers, one per call (the last repeats). */
function scriptedLookup(...answers: LookupAddress[][]) {
  const calls: string[] = [];
  const lookup: LookupFn = (hostname, options, callback) => {
    const answer = answers[Math.min(calls.length, answers.length - 1)];
    calls.push(hostname);
    setImmediate(() => {
      if (options.all) callback(null, answer);
      else callback(null, answer[0].address, answer[0].family);
    });
  };
  return { lookup, calls };
}

const v4 = (address: string): LookupAddress => ({ address, family: 4 });
const v6 = (address: string): LookupAddress => ({ address, family: 6 });

async function get(agent: Agent, url: string) {
  const res = await request(url, { dispatcher: agent });
  const body = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body };
}

let upstream: Upstream;
let agents: Agent[];

function agent(options: Partial<Parameters<typeof createUpstreamAgent>[0]> = {}): Agent {
  const created = createUpstreamAgent({ policy: OPEN, connectTimeoutMs: 2_000, ...options });
  agents.push(created);
  return created;
}

beforeEach(async () => {
  socketsOpened.length = 0;
  attempts.length = 0;
  agents = [];
  upstream = await startUpstream();
});

afterEach(async () => {
  await Promise.all(agents.map((a) => a.destroy()));
  upstream.server.closeAllConnections();
  await new Promise((resolve) => upstream.server.close(resolve));
});

describe('private networks', () => {
  it('reaches a local server on 127.0.0.1 by default (self-hosted Ollama, vLLM)', async () => {
    const res = await get(agent(), `http://127.0.0.1:${upstream.port}/v1/models`);
    expect(res).toMatchObject({ status: 200, body: '{"ok":true}' });
    expect(attempts).toEqual([{ address: '127.0.0.1', port: upstream.port }]);
  });

  it('refuses 127.0.0.1 before opening a socket when private networks are blocked', async () => {
    const error = await request(`http://127.0.0.1:${upstream.port}/v1/models`, { dispatcher: agent({ policy: STRICT }) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BlockedAddressError);
    expect(error).toMatchObject({ code: 'UPSTREAM_ADDRESS_BLOCKED', address: '127.0.0.1' });
    expect(socketsOpened).toHaveLength(0);
    expect(upstream.connections).toBe(0);
  });

  it('refuses a name resolving to 127.0.0.1 when private networks are blocked, and allows it by default', async () => {
    const { lookup } = scriptedLookup([v4('127.0.0.1')]);
    const url = `http://ollama.test:${upstream.port}/v1/models`;
    await expect(request(url, { dispatcher: agent({ policy: STRICT, lookup }) })).rejects.toBeInstanceOf(BlockedAddressError);
    expect(attempts).toEqual([]);
    expect((await get(agent({ lookup }), url)).status).toBe(200);
  });

  it('refuses localhost by name when private networks are blocked, without asking DNS', async () => {
    const { lookup, calls } = scriptedLookup([v4('127.0.0.1')]);
    await expect(request(`http://localhost:${upstream.port}/`, { dispatcher: agent({ policy: STRICT, lookup }) })).rejects.toMatchObject({
      code: 'UPSTREAM_ADDRESS_BLOCKED',
    });
    expect(calls).toEqual([]);
    expect(socketsOpened).toHaveLength(0);
  });
});

describe('link-local and metadata destinations', () => {
  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'http://169.254.170.2/v2/credentials',
    'http://2852039166/',
    'http://0xA9FEA9FE/',
    'http://0251.0376.0251.0376/',
    'http://169.254.43518/',
    'http://[::ffff:169.254.169.254]/',
    'http://[::ffff:a9fe:a9fe]/',
    'http://[64:ff9b::a9fe:a9fe]/',
    'http://[fd00:ec2::254]/',
    'http://[fe80::1]/',
    'http://100.100.100.200/',
    'http://0.0.0.0/',
    'http://[::]/',
    'http://metadata.google.internal/computeMetadata/v1/',
    'http://metadata/',
  ])('refuses %s before opening any socket', async (url) => {
    const { lookup, calls } = scriptedLookup([v4('127.0.0.1')]);
    const error = await request(url, { dispatcher: agent({ lookup }) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BlockedAddressError);
    expect((error as BlockedAddressError).message).toMatch(/never connects to link-local, cloud metadata or unspecified addresses/);
    expect(socketsOpened).toHaveLength(0);
    expect(calls).toEqual([]);
  });

  it('refuses at connect time a name that resolves to 169.254.169.254, before any connection attempt', async () => {
    const { lookup, calls } = scriptedLookup([v4('169.254.169.254')]);
    const error = await request('http://innocent.test/v1/models', { dispatcher: agent({ lookup }) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BlockedAddressError);
    expect(error).toMatchObject({ code: 'UPSTREAM_ADDRESS_BLOCKED', hostname: 'innocent.test', address: '169.254.169.254' });
    expect((error as Error).message).toBe(
      'Refused to connect to innocent.test: it resolves to 169.254.169.254, which is a link-local address (169.254.0.0/16, where cloud metadata services such as 169.254.169.254 live); the gateway never connects to link-local, cloud metadata or unspecified addresses. Use the address of the provider itself.',
    );
    expect(calls).toEqual(['innocent.test']);
    expect(attempts).toEqual([]);
  });

  it.each([
    [[v4('127.0.0.1'), v4('169.254.169.254')]],
    [[v6('::ffff:a9fe:a9fe')]],
    [[v6('64:ff9b::a9fe:a9fe')]],
    [[v6('fd00:ec2::254')]],
    [[v6('fe80::1')]],
    [[v4('100.100.100.200')]],
    [[v4('0.0.0.0')]],
  ])('refuses a name whose answer is %j, on every address', async (answer) => {
    const { lookup } = scriptedLookup(answer);
    await expect(request(`http://innocent.test:${upstream.port}/`, { dispatcher: agent({ lookup }) })).rejects.toBeInstanceOf(BlockedAddressError);
    expect(attempts).toEqual([]);
    expect(upstream.connections).toBe(0);
  });

  it('refuses a name that passed once and now resolves to metadata (DNS rebinding)', async () => {
    const { lookup, calls } = scriptedLookup([v4('127.0.0.1')], [v4('169.254.169.254')]);
    const dispatcher = agent({ lookup });
    const first = await get(dispatcher, `http://rebind.test:${upstream.port}/close`);
    expect(first.status).toBe(200);
    await expect(request(`http://rebind.test:${upstream.port}/v1/models`, { dispatcher })).rejects.toMatchObject({
      code: 'UPSTREAM_ADDRESS_BLOCKED',
      address: '169.254.169.254',
    });
    expect(calls).toEqual(['rebind.test', 'rebind.test']);
    expect(attempts).toEqual([{ address: '127.0.0.1', port: upstream.port }]);
  });
});

describe('https upstreams', () => {
  // tls.connect does not publish on `net.client.socket`, so these use loopback answers
  // under the strict policy: even a broken guard could only reach 127.0.0.1.
  it('guards the DNS answers of an https host too', async () => {
    const { lookup, calls } = scriptedLookup([v4('127.0.0.1')]);
    await expect(request(`https://secure.test:${upstream.port}/v1/models`, { dispatcher: agent({ policy: STRICT, lookup }) })).rejects.toMatchObject({
      code: 'UPSTREAM_ADDRESS_BLOCKED',
      hostname: 'secure.test',
      address: '127.0.0.1',
    });
    expect(calls).toEqual(['secure.test']);
    expect(upstream.connections).toBe(0);
  });

  it('guards an https IP literal before connecting', async () => {
    await expect(request(`https://127.0.0.1:${upstream.port}/`, { dispatcher: agent({ policy: STRICT }) })).rejects.toBeInstanceOf(BlockedAddressError);
    expect(upstream.connections).toBe(0);
  });
});

describe('keep-alive and redirects', () => {
  it('guards only new connections: requests on a kept-alive connection resolve nothing again', async () => {
    const { lookup, calls } = scriptedLookup([v4('127.0.0.1')]);
    // One socket per origin makes reuse deterministic (undici may otherwise open a second
    // socket for a request issued in the same tick the first one's body ends).
    const dispatcher = agent({ lookup, connections: 1 });
    for (let i = 0; i < 3; i++) {
      expect((await get(dispatcher, `http://upstream.test:${upstream.port}/v1/chat/completions`)).status).toBe(200);
    }
    expect(calls).toEqual(['upstream.test']);
    expect(upstream.connections).toBe(1);
  });

  it('returns a 302 from the upstream as a 302, without following it', async () => {
    const res = await get(agent(), `http://127.0.0.1:${upstream.port}/redirect`);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`http://127.0.0.1:${upstream.port}/elsewhere`);
    expect(upstream.paths).toEqual(['/redirect']);
  });

  it('never follows a redirect towards the metadata service', async () => {
    const res = await get(agent(), `http://127.0.0.1:${upstream.port}/redirect-to-metadata`);
    expect(res.status).toBe(302);
    expect(attempts).toEqual([{ address: '127.0.0.1', port: upstream.port }]);
  });
});
