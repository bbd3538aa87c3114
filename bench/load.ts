// The load: autocannon for throughput at many connections; a sequential undici client
// for latency at one connection (autocannon's histogram counts whole milliseconds, too
// coarse for a 0.3 ms budget); a burst of held streams for the open-stream RSS.
import autocannon from 'autocannon';
import { Client, Pool } from 'undici';
import { procSample } from './processes.js';

export interface Target {
  id: string;
  label: string;
  /** Origin and path of the chat endpoint. */
  url: string;
  headers: Record<string, string>;
  /** The process in the middle (null for the direct call): its CPU time is measured. */
  pid: number | null;
}

const MESSAGES = [
  { role: 'system', content: 'You are a terse assistant.' },
  { role: 'user', content: 'Say hello in a few words.' },
];

/** The chat request every target receives, in OpenAI format (the gateway's input). */
export function chatBody(stream: boolean): string {
  return JSON.stringify(stream ? { model: 'gpt-4.1-mini', messages: MESSAGES, max_tokens: 64, stream: true } : { model: 'gpt-4.1-mini', messages: MESSAGES, max_tokens: 64 });
}

export interface ThroughputResult {
  target: string;
  stream: boolean;
  requestsPerSecond: number;
  completed: number;
  non2xx: number;
  errors: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** CPU time of the process in the middle per 10,000 calls, seconds; null for the direct call. */
  cpuSecondsPer10k: number | null;
  /** The upstream's own CPU per 10,000 calls, seconds. */
  upstreamCpuSecondsPer10k: number;
}

export async function throughput(
  target: Target,
  options: { connections: number; durationS: number; stream: boolean; upstreamPid: number },
): Promise<ThroughputResult> {
  const before = target.pid ? procSample(target.pid) : null;
  const upstreamBefore = procSample(options.upstreamPid);
  const result = await autocannon({
    url: target.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...target.headers },
    body: chatBody(options.stream),
    connections: options.connections,
    duration: options.durationS,
    timeout: 30,
  });
  const after = target.pid ? procSample(target.pid) : null;
  const upstreamAfter = procSample(options.upstreamPid);
  const completed = result.requests.total;
  const per10k = (ms: number) => (completed > 0 ? (ms / completed) * 10 : 0); // ms per call × 10,000 / 1000
  return {
    target: target.id,
    stream: options.stream,
    requestsPerSecond: completed / result.duration,
    completed,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    cpuSecondsPer10k: before && after ? per10k(after.cpuMs - before.cpuMs) : null,
    upstreamCpuSecondsPer10k: per10k(upstreamAfter.cpuMs - upstreamBefore.cpuMs),
  };
}

export interface PairedResult {
  stream: boolean;
  rate: number;
  /** CPU time per 10,000 calls, seconds, of each process, measured over the same seconds. */
  cpuSecondsPer10k: [number, number];
  completed: [number, number];
}

/**
 * A/B at a fixed rate: both targets get the same load at the same time, so whatever
 * else the machine does hits both alike; compared by the CPU time each spends per call.
 */
export async function pairedCpu(a: Target, b: Target, options: { rate: number; durationS: number; stream: boolean; connections: number }): Promise<PairedResult> {
  const pids = [a.pid!, b.pid!];
  const before = pids.map(procSample);
  const results = await Promise.all(
    [a, b].map((target) =>
      autocannon({
        url: target.url,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...target.headers },
        body: chatBody(options.stream),
        connections: options.connections,
        duration: options.durationS,
        overallRate: options.rate,
        timeout: 30,
      }),
    ),
  );
  const after = pids.map(procSample);
  const completed = results.map((r) => r.requests.total) as [number, number];
  const per10k = (i: number) => ((after[i].cpuMs - before[i].cpuMs) / Math.max(1, completed[i])) * 10;
  return { stream: options.stream, rate: options.rate, cpuSecondsPer10k: [per10k(0), per10k(1)], completed };
}

export interface LatencySamples {
  /** Whole call, ms (JSON) or to the last byte (streams). */
  totalMs: number[];
  /** Streams: to the first body bytes, ms. */
  firstChunkMs: number[];
}

/**
 * One connection per target, one call at a time, the targets taken in turn call by
 * call (the starting target rotating), so drift hits every target alike.
 */
export async function interleavedLatency(targets: Target[], options: { callsPerTarget: number; stream: boolean }): Promise<Map<string, LatencySamples>> {
  const clients = targets.map((t) => {
    const url = new URL(t.url);
    return { target: t, path: url.pathname, client: new Client(url.origin, { pipelining: 1, keepAliveTimeout: 60_000 }) };
  });
  const samples = new Map<string, LatencySamples>(targets.map((t) => [t.id, { totalMs: [], firstChunkMs: [] }]));
  const body = chatBody(options.stream);
  try {
    for (let i = 0; i < options.callsPerTarget; i++) {
      for (let k = 0; k < clients.length; k++) {
        const { target, path, client } = clients[(i + k) % clients.length];
        const started = performance.now();
        const response = await client.request({ path, method: 'POST', headers: { 'content-type': 'application/json', ...target.headers }, body });
        let firstAt = 0;
        for await (const _chunk of response.body) if (firstAt === 0) firstAt = performance.now();
        const ended = performance.now();
        if (response.statusCode !== 200) throw new Error(`${target.id} answered ${response.statusCode}`);
        const entry = samples.get(target.id)!;
        entry.totalMs.push(ended - started);
        entry.firstChunkMs.push(firstAt - started);
      }
    }
  } finally {
    await Promise.all(clients.map((c) => c.client.close()));
  }
  return samples;
}

export interface HeldStreams<T> {
  opened: number;
  /** Streams whose first chunk arrived before the measurement. */
  held: number;
  completed: number;
  failed: number;
  measured: T;
}

/**
 * Opens `count` streams that the upstream holds after their first chunk, calls
 * `measure` while they are all open, then has the upstream finish them.
 */
export async function holdStreams<T>(target: Target, count: number, release: () => Promise<void>, measure: () => Promise<T>): Promise<HeldStreams<T>> {
  const url = new URL(target.url);
  const pool = new Pool(url.origin, { connections: count, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 120_000, bodyTimeout: 120_000 });
  const body = chatBody(true);
  let held = 0;
  let failed = 0;
  let allHeld: () => void = () => {};
  const everyoneHeld = new Promise<void>((resolve) => (allHeld = resolve));
  const markHeld = () => {
    if (++held + failed === count) allHeld();
  };
  const markFailed = () => {
    if (held + ++failed === count) allHeld();
  };
  const calls: Array<Promise<boolean>> = [];
  for (let i = 0; i < count; i++) {
    calls.push(
      (async () => {
        try {
          const response = await pool.request({ path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', ...target.headers }, body });
          let first = true;
          let text = '';
          for await (const chunk of response.body) {
            text += (chunk as Buffer).toString();
            if (first) {
              first = false;
              if (response.statusCode === 200) markHeld();
              else markFailed();
            }
          }
          return response.statusCode === 200 && text.includes('[DONE]');
        } catch {
          markFailed();
          return false;
        }
      })(),
    );
    // Connections in bursts, so the listen backlog never overflows into SYN retries.
    if (i % 100 === 99) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, 60_000).unref());
  await Promise.race([everyoneHeld, timeout]);
  const heldBefore = held;
  const measured = await measure();
  await release();
  const results = await Promise.all(calls);
  await pool.close();
  return { opened: count, held: heldBefore, completed: results.filter(Boolean).length, failed: results.filter((ok) => !ok).length, measured };
}
