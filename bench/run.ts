// `npm run bench`: the gateway against a bare pass-through and the direct call, on this
// machine, with interleaved rounds so drift hits every target alike. See bench/README.md.
//
//   npm run bench                       the whole benchmark (about 8 minutes on 2 cores)
//   npm run bench -- --peer portkey     also the Portkey gateway (installed into a temp dir)
//   npm run bench -- --soak             only the soak, 10 minutes (--soak-seconds N to change)
//   npm run bench -- --quick            a smoke run (fewer, shorter rounds)
//   npm run bench -- --cpu-prof         the gateways write .cpuprofile files (bench/results/profiles)
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { generateMasterKey } from '../src/keys/vault.js';
import { holdStreams, interleavedLatency, pairedCpu, throughput, type Target, type ThroughputResult } from './load.js';
import { imageNodeFlags } from '../scripts/image-command.js';
import { freePort } from '../test/helpers/free-port.js';
import { buildGateway } from './build.js';
import { BENCH_DIR, REPO_DIR, procSample, sampleRss, startChild, type Child } from './processes.js';
import { renderReport, TARGETS, type BenchReport, type LatencyRound } from './report.js';
import { runSoak } from './soak.js';
import { MB, median, percentile } from './stats.js';

/** The image's node flags (its Dockerfile CMD): the gateway runs with them unless --node-options says otherwise. */
const IMAGE_NODE_FLAGS = imageNodeFlags();

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string' },
    duration: { type: 'string' },
    connections: { type: 'string' },
    'latency-calls': { type: 'string' },
    streams: { type: 'string' },
    peer: { type: 'string', multiple: true },
    soak: { type: 'boolean', default: false },
    'no-soak': { type: 'boolean', default: false },
    'soak-seconds': { type: 'string' },
    storage: { type: 'string' },
    quick: { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    runtime: { type: 'string' },
    only: { type: 'string' },
    targets: { type: 'string' },
    modes: { type: 'string' },
    'node-options': { type: 'string' },
    'gateway-env': { type: 'string', multiple: true },
    compare: { type: 'string' },
    'compare-node-options': { type: 'string' },
    'ab-rate': { type: 'string' },
    out: { type: 'string' },
    note: { type: 'string' },
    render: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (args.help) {
  process.stdout.write(readFileSync(join(BENCH_DIR, 'README.md'), 'utf8'));
  process.exit(0);
}
if (args.render) {
  // Re-renders a report from its JSON (after a change to the report's layout).
  const { markdown, summary } = renderReport(JSON.parse(readFileSync(args.render, 'utf8')) as BenchReport);
  writeFileSync(args.render.replace(/\.json$/, '.md'), markdown);
  process.stdout.write(`${summary}\n`);
  process.exit(0);
}

const quick = args.quick;
const settings = {
  rounds: Number(args.rounds ?? (quick ? 2 : 5)),
  durationS: Number(args.duration ?? (quick ? 2 : 4)),
  connections: Number(args.connections ?? 50),
  latencyCalls: Number(args['latency-calls'] ?? (quick ? 200 : 1000)),
  streams: Number(args.streams ?? (quick ? 200 : 1000)),
  soakSeconds: Number(args['soak-seconds'] ?? (args.soak ? 600 : quick ? 15 : 90)),
  soak: !args['no-soak'],
  peers: (args.peer ?? []).flatMap((p) => p.split(',')).filter(Boolean),
  cpuProf: args['cpu-prof'],
  /** `node`: the gateway compiled to JavaScript (a deployment); `tsx`: as `npm start` runs it. */
  runtime: args.runtime ?? 'node',
  /** Sections to run: throughput, latency, streams, soak. */
  only: args.only ? new Set(args.only.split(',')) : args.soak ? new Set(['soak']) : null,
  /** Target ids to load (the direct call and the bare pass-through are always kept for the ratios). */
  targets: args.targets ? new Set(['direct', 'bare', ...args.targets.split(',')]) : null,
  /** Node flags for the gateway processes; by default the image's (its Dockerfile CMD). */
  gatewayNodeOptions: args['node-options'] !== undefined ? args['node-options'].split(' ').filter(Boolean) : IMAGE_NODE_FLAGS,
  /** KEY=VALUE pairs for the gateway processes' environment (experiments: LOG_LEVEL=warn …). */
  gatewayEnv: Object.fromEntries((args['gateway-env'] ?? []).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)])),
  /** A directory holding another `src/` (e.g. a `git worktree`): loaded as the extra target gateway-base, for A/B runs. */
  compare: args.compare ?? null,
  /** Throughput runs: json (small answer), stream (20-chunk SSE), or both. */
  modes: (args.modes ?? 'json,stream').split(',').map((m) => m === 'stream'),
};
if (settings.runtime !== 'node' && settings.runtime !== 'tsx') throw new Error('--runtime is node or tsx');
const section = (name: string) => (settings.only ? settings.only.has(name) : name !== 'soak' || settings.soak);
for (const peer of settings.peers) if (peer !== 'portkey') throw new Error(`unknown peer "${peer}" (known: portkey)`);

const ADMIN_TOKEN = `bench-admin-${randomBytes(12).toString('hex')}`;
const SERVICE_TOKEN = `bench-service-${randomBytes(12).toString('hex')}`;
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const POSTGRES_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const outDir = args.out ?? join(BENCH_DIR, 'results');
const tmp = mkdtempSync(join(tmpdir(), 'byok-bench-'));
const cleanups: Array<() => Promise<unknown>> = [];

function log(message: string): void {
  process.stdout.write(`${new Date().toISOString().slice(11, 19)}  ${message}\n`);
}

async function redisReachable(): Promise<boolean> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1_000, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** A fresh PostgreSQL database for this run (dropped at the end), or null to use PGlite. */
async function freshDatabase(): Promise<string | null> {
  if (args.storage === 'pglite') return null;
  const admin = postgres(POSTGRES_URL, { max: 1, onnotice: () => {}, connect_timeout: 2 });
  const name = `byok_bench_${randomBytes(5).toString('hex')}`;
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } catch (error) {
    await admin.end().catch(() => {});
    if (args.storage === 'postgres') throw error;
    return null;
  }
  await admin.end();
  cleanups.push(async () => {
    const conn = postgres(POSTGRES_URL, { max: 1, onnotice: () => {} });
    await conn.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).finally(() => conn.end());
  });
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function putSlot(gateway: Child, orgId: string, slot: 'main' | 'fallback', body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${gateway.origin}/byok/${orgId}/${slot}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 201 && response.status !== 200) throw new Error(`PUT /byok/${orgId}/${slot} answered ${response.status}: ${await response.text()}`);
}

let compiledEntry: string | null = null;

/** The upstream and the bare pass-through, compiled like the gateway (no tsx loader in their RSS either). */
function helperScript(name: 'upstream' | 'bare-proxy'): string {
  if (settings.runtime !== 'node') return join(BENCH_DIR, `${name}.ts`);
  compiledEntry ??= buildGateway(join(tmp, 'build'));
  return join(tmp, 'build', 'bench', `${name}.js`);
}
const bareScript = () => helperScript('bare-proxy');

async function startGateway(name: string, env: Record<string, string>, root: string | null = null, nodeOptions = settings.gatewayNodeOptions): Promise<Child> {
  const profileDir = join(outDir, 'profiles');
  if (settings.cpuProf) mkdirSync(profileDir, { recursive: true });
  if (settings.runtime === 'node') compiledEntry ??= buildGateway(join(tmp, 'build'));
  const child = await startChild(name, {
    script: root ? buildGateway(join(tmp, `build-${name}`), root) : (compiledEntry ?? join(BENCH_DIR, 'gateway-server.ts')),
    logPath: join(tmp, `${name}.log`),
    nodeArgs: [...nodeOptions, ...(settings.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`] : [])],
    env: {
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      GATEWAY_ADMIN_TOKENS: ADMIN_TOKEN,
      GATEWAY_SERVICE_TOKENS: SERVICE_TOKEN,
      // Nothing from the caller's shell leaks into the configuration under test.
      BYOK_MAIN_PROVIDER: '',
      BYOK_MAIN_MODEL: '',
      BYOK_MAIN_API_KEY: '',
      BYOK_FALLBACK_PROVIDER: '',
      BYOK_FALLBACK_MODEL: '',
      BYOK_FALLBACK_API_KEY: '',
      REDIS_URL: '',
      DATABASE_URL: '',
      ...env,
      ...settings.gatewayEnv,
    },
  });
  cleanups.push(() => child.stop());
  return child;
}

async function startPortkey(): Promise<Child> {
  const dir = process.env.BENCH_PORTKEY_DIR ?? join(tmp, 'portkey');
  const entry = join(dir, 'node_modules/@portkey-ai/gateway/build/start-server.js');
  try {
    readFileSync(entry);
  } catch {
    log(`installing @portkey-ai/gateway into ${dir} (outside the repo)`);
    mkdirSync(dir, { recursive: true });
    execFileSync('npm', ['install', '--prefix', dir, '--no-audit', '--no-fund', '--loglevel=error', '@portkey-ai/gateway'], { stdio: 'inherit' });
  }
  const port = await freePort();
  const child = await startChild('portkey', { script: entry, args: [`--port=${port}`, '--headless'], port, logPath: join(tmp, 'portkey.log'), cwd: dir, env: { NODE_ENV: 'production' } });
  cleanups.push(() => child.stop());
  return child;
}

function gitDescription(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_DIR }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: REPO_DIR }).toString().trim() ? ' + uncommitted changes in src/' : '';
    return `${head}${dirty}`;
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const [redisUp, databaseUrl] = await Promise.all([redisReachable(), freshDatabase()]);
  const storage = databaseUrl ? 'postgresql' : 'pglite';
  log(`storage ${storage}; Redis ${redisUp ? REDIS_URL : 'unreachable: the Redis runs are skipped'}; ${cpus().length} cores`);
  const masterKey = generateMasterKey('bench1');
  const storageEnv = (name: string): Record<string, string> =>
    databaseUrl ? { DATABASE_URL: databaseUrl, BYOK_MASTER_KEYS: masterKey } : { DATA_DIR: join(tmp, `data-${name}`), BYOK_MASTER_KEYS: masterKey };
  const redisPrefix = `byokbench:${randomBytes(4).toString('hex')}:`;
  if (redisUp) {
    cleanups.push(async () => {
      const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 1000);
        if (keys.length) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      redis.disconnect();
    });
  }

  // ---------------------------------------------------------------- processes
  const upstream = await startChild('upstream', { script: helperScript('upstream') });
  cleanups.push(() => upstream.stop());
  const up = upstream.origin;
  const bare = await startChild('bare', { script: bareScript(), env: { BENCH_UPSTREAM: up } });
  cleanups.push(() => bare.stop());
  const gateway = await startGateway('gateway', storageEnv('gateway'));
  const gatewayRedis = redisUp ? await startGateway('gateway-redis', { ...storageEnv('gateway-redis'), REDIS_URL, BENCH_REDIS_PREFIX: redisPrefix }) : null;
  const portkey = settings.peers.includes('portkey') ? await startPortkey() : null;
  const compareNodeOptions = args['compare-node-options'];
  const gatewayBase =
    settings.compare || compareNodeOptions !== undefined
      ? await startGateway('gateway-base', storageEnv('gateway-base'), settings.compare, compareNodeOptions !== undefined ? compareNodeOptions.split(' ').filter(Boolean) : settings.gatewayNodeOptions)
      : null;
  log(`upstream :${upstream.port}, bare :${bare.port}, gateway :${gateway.port}${gatewayRedis ? `, gateway+redis :${gatewayRedis.port}` : ''}${portkey ? `, portkey :${portkey.port}` : ''}`);

  // ---------------------------------------------------------------- orgs
  const plain = { reasoning: { level: 'off' } };
  const openaiSlot = (path: string, settingsExtra: Record<string, unknown> = {}) => ({
    provider: 'openai',
    model: 'gpt-4.1-mini',
    apiKey: 'sk-bench-0123456789abcdefghij',
    baseUrl: `${up}/${path}/v1`,
    settings: { ...plain, ...settingsExtra },
  });
  const anthropicSlot = (path: string, settingsExtra: Record<string, unknown> = {}) => ({
    provider: 'anthropic',
    model: 'claude-sonnet-4-6',
    apiKey: 'sk-ant-bench-0123456789abcdef',
    baseUrl: `${up}/${path}`,
    settings: { ...plain, ...settingsExtra },
  });
  await putSlot(gateway, 'bench-openai', 'main', openaiSlot('openai'));
  await putSlot(gateway, 'bench-anthropic', 'main', anthropicSlot('anthropic'));
  await putSlot(gateway, 'bench-hold', 'main', openaiSlot('hold'));
  if (gatewayBase) await putSlot(gatewayBase, 'bench-openai', 'main', openaiSlot('openai'));
  if (gatewayRedis) {
    // A cap well above the load: every call takes and returns a Redis permit, none waits.
    await putSlot(gatewayRedis, 'bench-redis', 'main', openaiSlot('openai', { maxConcurrentRequests: 10_000 }));
    await putSlot(gatewayRedis, 'bench-soak', 'main', openaiSlot('flaky', { maxConcurrentRequests: 32 }));
    await putSlot(gatewayRedis, 'bench-soak', 'fallback', anthropicSlot('fallback', { maxConcurrentRequests: 32 }));
  } else {
    await putSlot(gateway, 'bench-soak', 'main', openaiSlot('flaky', { maxConcurrentRequests: 32 }));
    await putSlot(gateway, 'bench-soak', 'fallback', anthropicSlot('fallback', { maxConcurrentRequests: 32 }));
  }

  const service = (orgId: string) => ({ authorization: `Bearer ${SERVICE_TOKEN}`, 'x-org-id': orgId });
  const portkeyHeaders = (provider: string, host: string) => ({ authorization: 'Bearer sk-bench-0123456789abcdefghij', 'x-portkey-provider': provider, 'x-portkey-custom-host': host });
  const allTargets: Target[] = [
    { id: 'direct', label: 'direct to the upstream', url: `${up}/openai/v1/chat/completions`, headers: { authorization: 'Bearer sk-bench' }, pid: null },
    { id: 'bare', label: 'bare pass-through (Fastify + undici)', url: `${bare.origin}/openai/v1/chat/completions`, headers: { authorization: 'Bearer sk-bench' }, pid: bare.pid },
    { id: 'gateway', label: 'gateway, OpenAI-format upstream', url: `${gateway.origin}/v1/chat/completions`, headers: service('bench-openai'), pid: gateway.pid },
    { id: 'gateway-anthropic', label: 'gateway, Anthropic-format upstream', url: `${gateway.origin}/v1/chat/completions`, headers: service('bench-anthropic'), pid: gateway.pid },
  ];
  if (gatewayBase) allTargets.push({ id: 'gateway-base', label: `gateway-base (${settings.compare ?? 'this tree'}${compareNodeOptions !== undefined ? `, node ${compareNodeOptions || 'defaults'}` : ''})`, url: `${gatewayBase.origin}/v1/chat/completions`, headers: service('bench-openai'), pid: gatewayBase.pid });
  if (gatewayRedis) allTargets.push({ id: 'gateway-redis', label: 'gateway, Redis semaphore on', url: `${gatewayRedis.origin}/v1/chat/completions`, headers: service('bench-redis'), pid: gatewayRedis.pid });
  if (portkey) {
    allTargets.push({ id: 'portkey', label: 'Portkey gateway, OpenAI-format upstream', url: `${portkey.origin}/v1/chat/completions`, headers: portkeyHeaders('openai', `${up}/openai/v1`), pid: portkey.pid });
    allTargets.push({ id: 'portkey-anthropic', label: 'Portkey gateway, Anthropic-format upstream', url: `${portkey.origin}/v1/chat/completions`, headers: portkeyHeaders('anthropic', `${up}/anthropic/v1`), pid: portkey.pid });
  }

  const targets = allTargets.filter((t) => !settings.targets || settings.targets.has(t.id));
  const noStream = new Set<string>();
  const notes: string[] = [];
  const peerError = () => {
    try {
      return /TypeError: [^\n]*|Error: [^\n]*/.exec(readFileSync(join(tmp, 'portkey.log'), 'utf8'))?.[0] ?? 'nothing';
    } catch {
      return 'nothing';
    }
  };

  // One call each: every target answers, and every cache (org configs, pools) is warm.
  for (const target of targets) {
    for (const stream of [false, true]) {
      const response = await fetch(target.url, { method: 'POST', headers: { 'content-type': 'application/json', ...target.headers }, body: JSON.stringify({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hi' }], stream }) });
      const text = await response.text();
      if (response.status === 200 && (!stream || text.includes('[DONE]'))) continue;
      const failure = `${target.id} (stream ${stream}) answered ${response.status}: ${text.slice(0, 300)}`;
      // A peer that cannot stream here is measured on JSON only, and the report says why.
      if (!target.id.startsWith('portkey') || !stream) throw new Error(failure);
      noStream.add(target.id);
      notes.push(`${target.label} failed every streamed call (${response.status} "${text.slice(0, 80)}"; its log: ${peerError()}), so it is measured on non-streaming calls only.`);
      log(`  ${failure}: measured without streams`);
    }
  }
  const streamTargets = targets.filter((t) => !noStream.has(t.id));
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const processes: Record<string, Child> = { upstream, bare, gateway, ...(gatewayRedis ? { 'gateway-redis': gatewayRedis } : {}), ...(portkey ? { portkey } : {}) };
  const idleRss = Object.fromEntries(Object.entries(processes).map(([name, child]) => [name, procSample(child.pid).rssBytes]));
  const idleHeap = await gateway.memory();

  const report: BenchReport = {
    meta: {
      date: new Date().toISOString(),
      commit: gitDescription(),
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      storage,
      redis: redisUp,
      logLevel: 'info',
      ...settings,
      only: settings.only ? [...settings.only] : null,
      gatewayNodeOptions: settings.gatewayNodeOptions.join(' ') || 'none',
      targets: targets.map(({ id, label }) => ({ id, label })),
      note: args.note ?? null,
      durationS: settings.durationS,
      wallSeconds: 0,
    },
    throughput: { json: {}, stream: {} },
    latency: [],
    idleRssBytes: idleRss,
    idleGatewayMemory: idleHeap,
    afterLoadRssBytes: {},
    openStreams: {},
    soak: null,
    ab: null,
    notes,
  };

  if (section('throughput')) {
    // ---------------------------------------------------------------- throughput
    const runs: Array<{ target: Target; stream: boolean }> = [];
    for (const stream of settings.modes) for (const target of stream ? streamTargets : targets) runs.push({ target, stream });
    log(`warm-up: ${runs.length} runs of 2 s`);
    for (const run of runs) await throughput(run.target, { connections: settings.connections, durationS: 2, stream: run.stream, upstreamPid: upstream.pid });
    for (let round = 0; round < settings.rounds; round++) {
      // Rotate the order each round so no target always follows the same one.
      const order = runs.map((_, i) => runs[(i + round * 3) % runs.length]);
      const line: string[] = [];
      for (const run of order) {
        const result = await throughput(run.target, { connections: settings.connections, durationS: settings.durationS, stream: run.stream, upstreamPid: upstream.pid });
        const bucket = run.stream ? report.throughput.stream : report.throughput.json;
        (bucket[run.target.id] ??= []).push(result);
        if (result.non2xx || result.errors) log(`  ${run.target.id}${run.stream ? ' stream' : ''}: ${result.non2xx} non-2xx, ${result.errors} errors`);
        line.push(`${run.target.id}${run.stream ? '~' : ''} ${Math.round(result.requestsPerSecond)}`);
      }
      log(`round ${round + 1}/${settings.rounds} req/s: ${line.join(', ')}`);
    }
  }

  if (section('latency')) {
    // ---------------------------------------------------------------- latency at 1 connection
    log(`latency at 1 connection: ${settings.rounds} rounds × ${settings.latencyCalls} calls per target, interleaved call by call`);
    await interleavedLatency(targets, { callsPerTarget: 100, stream: false });
    await interleavedLatency(streamTargets, { callsPerTarget: 100, stream: true });
    for (let round = 0; round < settings.rounds; round++) {
      const json = await interleavedLatency(targets, { callsPerTarget: settings.latencyCalls, stream: false });
      const stream = await interleavedLatency(streamTargets, { callsPerTarget: settings.latencyCalls, stream: true });
      const entry: LatencyRound = {};
      for (const target of targets) {
        const j = json.get(target.id)!;
        const s = stream.get(target.id) ?? { totalMs: [], firstChunkMs: [] };
        entry[target.id] = {
          p50: percentile(j.totalMs, 50),
          p99: percentile(j.totalMs, 99),
          ttfcP50: percentile(s.firstChunkMs, 50),
          ttfcP99: percentile(s.firstChunkMs, 99),
          streamP50: percentile(s.totalMs, 50),
        };
      }
      report.latency.push(entry);
      log(`round ${round + 1}/${settings.rounds} p50 ms: ${targets.map((t) => `${t.id} ${entry[t.id].p50.toFixed(3)}`).join(', ')}`);
    }
  }

  if (section('streams')) {
    // ---------------------------------------------------------------- open streams
    // Each proxy in a fresh process, warmed up, so the figure is the streams' and not what
    // the heap kept from the throughput runs (that is reported as "after the load runs").
    for (const [name, child] of Object.entries(processes)) report.afterLoadRssBytes[name] = procSample(child.pid).rssBytes;
    const fresh: Array<() => Promise<{ name: string; child: Child; target: Target }>> = [
      async () => {
        const child = await startGateway('gateway-mem', storageEnv('gateway-mem'));
        await putSlot(child, 'bench-hold', 'main', openaiSlot('hold'));
        await putSlot(child, 'bench-openai', 'main', openaiSlot('openai'));
        return { name: 'gateway', child, target: { ...allTargets[2], url: `${child.origin}/v1/chat/completions`, headers: service('bench-hold'), pid: child.pid } };
      },
      async () => {
        // The same gateway on node's defaults (V8's 16 MB semi-spaces), for comparison.
        const child = await startGateway('gateway-mem-defaults', storageEnv('gateway-mem-defaults'), null, []);
        await putSlot(child, 'bench-hold', 'main', openaiSlot('hold'));
        await putSlot(child, 'bench-openai', 'main', openaiSlot('openai'));
        return { name: 'gateway (node defaults, no flags)', child, target: { ...allTargets[2], url: `${child.origin}/v1/chat/completions`, headers: service('bench-hold'), pid: child.pid } };
      },
      async () => {
        const child = await startChild('bare-mem', { script: bareScript(), env: { BENCH_UPSTREAM: up } });
        cleanups.push(() => child.stop());
        return { name: 'bare', child, target: { ...allTargets[1], url: `${child.origin}/hold/v1/chat/completions`, pid: child.pid } };
      },
    ];
    if (portkey && !noStream.has('portkey')) {
      fresh.push(async () => {
        const child = await startPortkey();
        return { name: 'portkey', child, target: { ...allTargets.find((t) => t.id === 'portkey')!, url: `${child.origin}/v1/chat/completions`, headers: portkeyHeaders('openai', `${up}/hold/v1`), pid: child.pid } };
      });
    }
    for (const start of fresh) {
      const holder = await start();
      const pid = holder.child.pid;
      // JIT and pools warm: the same calls as the load runs, at a gentle rate.
      const warm = { ...holder.target, url: holder.target.url.replace('/hold/', '/openai/'), headers: holder.name.startsWith('gateway') ? service('bench-openai') : holder.name === 'portkey' ? portkeyHeaders('openai', `${up}/openai/v1`) : holder.target.headers };
      for (const stream of [false, true]) await throughput(warm, { connections: 10, durationS: 2, stream, upstreamPid: upstream.pid });
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const before = procSample(pid).rssBytes;
      const memoryBefore = await holder.child.memory();
      const held = await holdStreams(
        holder.target,
        settings.streams,
        async () => void (await fetch(`${up}/_release`, { method: 'POST' })),
        async () => {
          const sampler = sampleRss(pid, 100);
          await new Promise((resolve) => setTimeout(resolve, 1_000));
          const memory = await holder.child.memory();
          await new Promise((resolve) => setTimeout(resolve, 1_000));
          return { samples: sampler.stop(), memory };
        },
      );
      const peak = Math.max(...held.measured.samples);
      report.openStreams[holder.name] = {
        streams: settings.streams,
        held: held.held,
        completed: held.completed,
        rssBeforeBytes: before,
        rssPeakBytes: peak,
        rssMedianBytes: median(held.measured.samples),
        heapBefore: memoryBefore,
        heapHeld: held.measured.memory,
      };
      log(`${settings.streams} open streams through a fresh ${holder.name}: ${held.held} held, RSS ${(peak / MB).toFixed(1)} MB (idle after warm-up ${(before / MB).toFixed(1)} MB), ${held.completed} completed`);
      await holder.child.stop();
    }
  }

  // ---------------------------------------------------------------- A/B (with --compare)
  if (section('ab') && gatewayBase) {
    const a = allTargets.find((t) => t.id === 'gateway')!;
    const b = allTargets.find((t) => t.id === 'gateway-base')!;
    const rate = Number(args['ab-rate'] ?? 600);
    log(`A/B: gateway and gateway-base loaded together at ${rate} calls/s each, ${settings.rounds} rounds`);
    report.ab = [];
    for (const stream of settings.modes) await pairedCpu(a, b, { rate, durationS: 3, stream, connections: 10 }); // JIT warm-up
    for (let round = 0; round < settings.rounds; round++) {
      for (const stream of settings.modes) {
        const result = await pairedCpu(a, b, { rate, durationS: settings.durationS, stream, connections: 10 });
        report.ab.push(result);
        log(`  ${stream ? 'stream' : 'json  '} CPU s/10k: gateway ${result.cpuSecondsPer10k[0].toFixed(2)}, base ${result.cpuSecondsPer10k[1].toFixed(2)} (${result.completed.join(' / ')} calls)`);
      }
    }
  }

  // ---------------------------------------------------------------- soak
  if (section('soak')) {
    const soakGateway = gatewayRedis ?? gateway;
    log(`soak: ${settings.soakSeconds} s of mixed traffic at ${settings.connections} connections on ${soakGateway.name}`);
    report.soak = await runSoak({
      gateway: soakGateway,
      upstream,
      orgId: 'bench-soak',
      serviceToken: SERVICE_TOKEN,
      adminToken: ADMIN_TOKEN,
      connections: settings.connections,
      seconds: settings.soakSeconds,
    });
    const s = report.soak;
    log(`soak: made ${s.callsMade}, answered ${s.callsAnswered}, usage rows ${s.usageRows}, 5xx ${s.gatewayCaused5xx + s.upstreamCaused5xx}, RSS ${(s.rssGrowthPercent).toFixed(1)} %, loop p99 ${s.eventLoopP99Ms.max.toFixed(1)} ms`);
  }

  report.meta.wallSeconds = Math.round((Date.now() - started) / 1000);
  const stamp = report.meta.date.slice(0, 16).replace(/[:T]/g, '-');
  mkdirSync(outDir, { recursive: true });
  const { markdown, summary } = renderReport(report);
  const base = join(outDir, `bench-${stamp}${settings.only ? `-${[...settings.only].join('-')}` : ''}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${base}.md`, markdown);
  process.stdout.write(`\n${summary}\n\nReport: ${base}.md\nData:   ${base}.json\n`);
  const failed = TARGETS.filter((t) => t.verdict(report) === false).length;
  if (failed) process.exitCode = 1;
}

try {
  await main();
} catch (error) {
  process.stderr.write(`benchmark failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 2;
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => process.stderr.write(`cleanup: ${String(error)}\n`));
  rmSync(tmp, { recursive: true, force: true });
}
