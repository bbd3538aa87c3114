// The benchmark's report: the targets judged, the tables, the ratios printed at the end.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PairedResult, ThroughputResult } from './load.js';
import { BENCH_DIR } from './processes.js';
import type { SoakResult } from './soak.js';
import { MB, median, round } from './stats.js';

export type LatencyRound = Record<string, { p50: number; p99: number; ttfcP50: number; ttfcP99: number; streamP50: number }>;

export interface OpenStreamsResult {
  streams: number;
  held: number;
  completed: number;
  rssBeforeBytes: number;
  rssPeakBytes: number;
  rssMedianBytes: number;
  /** The process's own view (gateways only): before the streams, and while they are open. */
  heapBefore: NodeJS.MemoryUsage | null;
  heapHeld: NodeJS.MemoryUsage | null;
}

export interface BenchReport {
  meta: {
    date: string;
    commit: string;
    node: string;
    cpus: number;
    cpuModel: string;
    storage: string;
    redis: boolean;
    logLevel: string;
    rounds: number;
    durationS: number;
    connections: number;
    latencyCalls: number;
    streams: number;
    soakSeconds: number;
    peers: string[];
    note: string | null;
    targets: Array<{ id: string; label: string }>;
    wallSeconds: number;
    [extra: string]: unknown;
  };
  throughput: { json: Record<string, ThroughputResult[]>; stream: Record<string, ThroughputResult[]> };
  latency: LatencyRound[];
  idleRssBytes: Record<string, number>;
  idleGatewayMemory: NodeJS.MemoryUsage | null;
  /** RSS of the long-lived processes after the throughput and latency runs. */
  afterLoadRssBytes: Record<string, number>;
  openStreams: Record<string, OpenStreamsResult>;
  soak: SoakResult | null;
  /** --compare runs: CPU per call of the working tree's gateway and the other one, loaded together. */
  ab: PairedResult[] | null;
  /** What the run had to work around (a peer that cannot stream …). */
  notes: string[];
}

/** Median over the rounds of a per-round ratio a/b (runs of one round are paired, so drift cancels). */
export function roundRatio(runs: Record<string, ThroughputResult[]>, a: string, b: string): number | null {
  const x = runs[a];
  const y = runs[b];
  if (!x?.length || !y?.length) return null;
  const n = Math.min(x.length, y.length);
  return median(Array.from({ length: n }, (_, i) => x[i].requestsPerSecond / y[i].requestsPerSecond));
}

/** Median over the rounds of target's percentile minus the base's (the direct call by default). */
export function addedLatency(report: BenchReport, target: string, field: keyof LatencyRound[string], base = 'direct'): number | null {
  const rounds = report.latency.filter((r) => r[target] && r[base]);
  if (!rounds.length) return null;
  return median(rounds.map((r) => r[target][field] - r[base][field]));
}

interface Target {
  name: string;
  measure(report: BenchReport): number | null;
  threshold: string;
  verdict(report: BenchReport): boolean | null;
  unit: string;
}

function judged(name: string, unit: string, measure: (r: BenchReport) => number | null, ok: (v: number) => boolean, threshold: string): Target {
  return {
    name,
    unit,
    measure,
    threshold,
    verdict: (r) => {
      const value = measure(r);
      return value === null || Number.isNaN(value) ? null : ok(value);
    },
  };
}

export const TARGETS: Target[] = [
  judged('Throughput, non-streaming, 50 connections: gateway ÷ bare pass-through', '', (r) => roundRatio(r.throughput.json, 'gateway', 'bare'), (v) => v >= 0.85, '≥ 0.85'),
  judged('Added latency over direct, 1 connection, p50', 'ms', (r) => addedLatency(r, 'gateway', 'p50'), (v) => v <= 0.3, '≤ 0.30 ms'),
  judged('Added latency over direct, 1 connection, p99', 'ms', (r) => addedLatency(r, 'gateway', 'p99'), (v) => v <= 1.5, '≤ 1.5 ms'),
  judged('Gateway RSS with 1,000 concurrent open streams (peak)', 'MB', (r) => (r.openStreams.gateway ? r.openStreams.gateway.rssPeakBytes / MB : null), (v) => v <= 150, '≤ 150 MB'),
  judged('Anthropic-format upstream ÷ OpenAI-format, throughput', '', (r) => roundRatio(r.throughput.json, 'gateway-anthropic', 'gateway'), (v) => v >= 0.85, '≥ 0.85'),
  judged('Redis semaphore on ÷ off, throughput', '', (r) => roundRatio(r.throughput.json, 'gateway-redis', 'gateway'), (v) => v >= 0.8, '≥ 0.80'),
  judged('Soak: calls made = answered = usage rows', '', (r) => (r.soak ? Number(r.soak.callsMade === r.soak.callsAnswered && r.soak.callsAnswered === r.soak.usageRows) : null), (v) => v === 1, 'equal'),
  judged('Soak: 5xx not caused by the upstream', '', (r) => (r.soak ? r.soak.gatewayCaused5xx + r.soak.transportErrors + r.soak.brokenBodies : null), (v) => v === 0, '0'),
  judged('Soak: RSS growth after warm-up', '%', (r) => (r.soak ? r.soak.rssGrowthPercent : null), (v) => v <= 10, '≤ 10 %'),
];

const fmt = (value: number | null | undefined, digits = 2): string => (value === null || value === undefined || Number.isNaN(value) ? '–' : round(value, digits).toFixed(digits));
const mb = (bytes: number | undefined): string => (bytes === undefined ? '–' : (bytes / MB).toFixed(1));
const verdictMark = (v: boolean | null): string => (v === null ? 'not measured' : v ? '**pass**' : '**FAIL**');

function throughputTable(report: BenchReport, runs: Record<string, ThroughputResult[]>): string[] {
  const lines = [
    '| target | req/s (median) | ÷ bare | ÷ direct | latency p50 / p99 (ms) | CPU s per 10k calls | per round (req/s) |',
    '|---|---:|---:|---:|---:|---:|---|',
  ];
  for (const { id, label } of report.meta.targets) {
    const results = runs[id];
    if (!results?.length) continue;
    const rps = median(results.map((r) => r.requestsPerSecond));
    const cpu = results[0].cpuSecondsPer10k === null ? null : median(results.map((r) => r.cpuSecondsPer10k ?? 0));
    lines.push(
      `| ${label} | ${Math.round(rps)} | ${fmt(roundRatio(runs, id, 'bare'))} | ${fmt(roundRatio(runs, id, 'direct'))} | ${fmt(median(results.map((r) => r.latencyP50Ms)), 0)} / ${fmt(median(results.map((r) => r.latencyP99Ms)), 0)} | ${fmt(cpu)} | ${results.map((r) => Math.round(r.requestsPerSecond)).join(', ')} |`,
    );
  }
  const upstreamCpu = median(Object.values(runs).flat().map((r) => r.upstreamCpuSecondsPer10k));
  lines.push('', `The upstream itself used ${fmt(upstreamCpu)} s of CPU per 10k calls (median over every run).`);
  return lines;
}

function latencyTable(report: BenchReport): string[] {
  const lines = [
    '| target | p50 (ms) | p99 (ms) | added p50 / p99 over direct | added p50 / p99 over bare | first chunk p50 (ms) | added first chunk p50 / p99 over direct | whole stream p50 (ms) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const { id, label } of report.meta.targets) {
    const rounds = report.latency.filter((r) => r[id]);
    if (!rounds.length) continue;
    const m = (field: keyof LatencyRound[string]) => median(rounds.map((r) => r[id][field]));
    const added = (field: keyof LatencyRound[string], base = 'direct') => fmt(addedLatency(report, id, field, base), 3);
    const overBare = id === 'direct' || id === 'bare' ? '' : `${added('p50', 'bare')} / ${added('p99', 'bare')}`;
    lines.push(
      `| ${label} | ${fmt(m('p50'), 3)} | ${fmt(m('p99'), 3)} | ${id === 'direct' ? '' : `${added('p50')} / ${added('p99')}`} | ${overBare} | ${fmt(m('ttfcP50'), 3)} | ${id === 'direct' ? '' : `${added('ttfcP50')} / ${added('ttfcP99')}`} | ${fmt(m('streamP50'), 3)} |`,
    );
  }
  return lines;
}

function soakSection(soak: SoakResult): string[] {
  const statuses = Object.entries(soak.statuses).map(([s, n]) => `${s}: ${n}`).join(', ');
  return [
    `${round(soak.seconds, 0)} s of mixed traffic (half streams, a quarter of those asking for usage) at ${soak.connections} connections on one org: Main (OpenAI format, \`maxConcurrentRequests\` 32) fails every 20th call (503, 429, or an error event at the head of a stream, in turn); Fallback (Anthropic format, cap 32) answers. ${soak.callsMade} calls is ten minutes of traffic at ${fmt(soak.tenMinuteEquivalentRate, 0)} calls/s.`,
    '',
    '| check | value |',
    '|---|---|',
    `| calls made / answered / usage rows written | ${soak.callsMade} / ${soak.callsAnswered} / ${soak.usageRows} |`,
    `| statuses | ${statuses} |`,
    `| 5xx caused by the gateway / by the upstream (both slots failed) | ${soak.gatewayCaused5xx} / ${soak.upstreamCaused5xx} |`,
    `| broken 200 bodies (JSON without a completion, stream without [DONE]) / transport errors | ${soak.brokenBodies} / ${soak.transportErrors} |`,
    `| failures injected by the upstream / failovers in the usage log | ${soak.injectedFailures} / ${soak.usageFailovers} |`,
    `| upstream calls by path | ${Object.entries(soak.upstreamCalls).map(([k, v]) => `${k}: ${v}`).join(', ')} |`,
    `| RSS floor (lowest sample of 10 s, i.e. after a major GC) after warm-up (${soak.warmupSeconds} s) → in the last 10 s; peak | ${mb(soak.rssAfterWarmupBytes)} MB → ${mb(soak.rssAtEndBytes)} MB (${fmt(soak.rssGrowthPercent, 1)} %); ${mb(Math.max(...soak.rssSeries.map(([, rss]) => rss)))} MB |`,
    `| event-loop delay p99 per 5 s scrape of /metrics (median / max) | ${fmt(soak.eventLoopP99Ms.median, 1)} ms / ${fmt(soak.eventLoopP99Ms.max, 1)} ms |`,
  ];
}

export function renderReport(report: BenchReport): { markdown: string; summary: string } {
  const m = report.meta;
  const out: string[] = [];
  out.push(`# Gateway benchmark, ${m.date.slice(0, 10)}`, '');
  out.push(
    `Commit ${m.commit}; Node ${m.node}; ${m.cpus} × ${m.cpuModel}; storage ${m.storage}; gateway run as ${m.runtime === 'tsx' ? 'TypeScript through tsx' : 'compiled JavaScript (as the image runs it)'} with node flags: ${m.gatewayNodeOptions}; LOG_LEVEL=${m.logLevel}; ${m.rounds} interleaved rounds of ${m.durationS} s per target at ${m.connections} connections; ${m.latencyCalls} calls per target per round at 1 connection; ${m.streams} held streams. Whole run: ${m.wallSeconds} s.${m.note ? ` Note: ${m.note}` : ''}`,
    '',
    'Every server runs in its own process (upstream, bare pass-through, gateway, gateway with Redis, peers); the load generator is a fourth. Ratios are medians over the rounds of per-round ratios; the runs of a round are back to back, so machine drift hits them alike.',
    '',
  );
  for (const note of report.notes ?? []) out.push(`> ${note}`, '');
  out.push('## Targets', '', '| target | measured | threshold | verdict |', '|---|---:|---|---|');
  for (const t of TARGETS) out.push(`| ${t.name} | ${fmt(t.measure(report), t.unit === 'ms' ? 3 : 2)}${t.unit && t.unit !== '' ? ` ${t.unit}` : ''} | ${t.threshold} | ${verdictMark(t.verdict(report))} |`);
  out.push('');
  if (Object.keys(report.throughput.json).length) {
    out.push('## Throughput, non-streaming (small JSON answer)', '', ...throughputTable(report, report.throughput.json), '');
    out.push('## Throughput, streaming (20-chunk SSE)', '', ...throughputTable(report, report.throughput.stream), '');
  }
  if (report.latency.length) {
    out.push(
      '## Latency at 1 connection',
      '',
      'One call at a time per target, the targets taken in turn call by call. "Added" is the median over the rounds of (target − direct), or (target − bare pass-through), for that percentile: the second is the gateway\'s own work, the first also counts the extra hop (two more process wake-ups and loopback round trips), which the bare pass-through pays too. First chunk: the first body bytes of a streamed answer.',
      '',
      ...latencyTable(report),
      '',
    );
  }
  out.push('## Memory (RSS)', '', '| process | idle RSS after start-up (MB) | RSS after the load runs (MB) |', '|---|---:|---:|');
  for (const [name, bytes] of Object.entries(report.idleRssBytes)) out.push(`| ${name} | ${mb(bytes)} | ${mb(report.afterLoadRssBytes[name])} |`);
  out.push('');
  const heap = (m: NodeJS.MemoryUsage | null | undefined) => (m ? `${mb(m.heapUsed)} / ${mb(m.heapTotal)} / ${mb(m.external)}` : '–');
  if (report.idleGatewayMemory) out.push(`The gateway's heap used / heap total / external at idle, before any load: ${heap(report.idleGatewayMemory)} MB.`, '');
  if (Object.keys(report.openStreams).length) {
    out.push(
      '| concurrent open streams through | streams held | RSS before (MB) | RSS peak (MB) | heap used / total / external before → held (MB) | completed afterwards |',
      '|---|---:|---:|---:|---|---:|',
    );
    for (const [name, s] of Object.entries(report.openStreams)) {
      out.push(`| ${name} | ${s.held} / ${s.streams} | ${mb(s.rssBeforeBytes)} | ${mb(s.rssPeakBytes)} | ${s.heapBefore ? `${heap(s.heapBefore)} → ${heap(s.heapHeld)}` : '–'} | ${s.completed} |`);
    }
    out.push('', 'Each proxy runs in a fresh process for this: started, warmed up with 2 s of calls and 2 s of streams at 10 connections, left idle 2 s ("before"), then held the streams open (upstream paused after the first chunk) while its RSS was sampled every 100 ms.', '');
  }
  if (report.soak) out.push('## Soak', '', ...soakSection(report.soak), '');
  if (report.ab?.length) {
    out.push('## A/B', '', `Both gateways loaded at the same time at ${report.ab[0].rate} calls/s each; CPU time per call compared round by round.`, '');
    out.push('| mode | gateway CPU s/10k | gateway-base CPU s/10k | gateway ÷ base (median of rounds) |', '|---|---:|---:|---:|');
    for (const stream of [false, true]) {
      const rows = report.ab.filter((r) => r.stream === stream);
      if (!rows.length) continue;
      out.push(`| ${stream ? 'stream' : 'json'} | ${fmt(median(rows.map((r) => r.cpuSecondsPer10k[0])))} | ${fmt(median(rows.map((r) => r.cpuSecondsPer10k[1])))} | ${fmt(median(rows.map((r) => r.cpuSecondsPer10k[0] / r.cpuSecondsPer10k[1])))} |`);
    }
    out.push('');
  }
  const optimisations = join(BENCH_DIR, 'optimisations.md');
  if (existsSync(optimisations)) out.push(readFileSync(optimisations, 'utf8').trim(), '');

  const summary: string[] = ['Ratios (medians of the interleaved rounds):'];
  const json = report.throughput.json;
  const stream = report.throughput.stream;
  const line = (label: string, value: number | null, digits = 2) => value !== null && summary.push(`  ${label.padEnd(58)} ${fmt(value, digits)}`);
  line('gateway ÷ bare, non-streaming', roundRatio(json, 'gateway', 'bare'));
  line('gateway ÷ direct, non-streaming', roundRatio(json, 'gateway', 'direct'));
  line('bare ÷ direct, non-streaming', roundRatio(json, 'bare', 'direct'));
  line('gateway ÷ bare, streaming', roundRatio(stream, 'gateway', 'bare'));
  line('Anthropic-format ÷ OpenAI-format upstream', roundRatio(json, 'gateway-anthropic', 'gateway'));
  line('Redis semaphore on ÷ off', roundRatio(json, 'gateway-redis', 'gateway'));
  line('gateway ÷ gateway-base (A/B), non-streaming', roundRatio(json, 'gateway', 'gateway-base'));
  line('gateway ÷ gateway-base (A/B), streaming', roundRatio(stream, 'gateway', 'gateway-base'));
  line('portkey ÷ bare, non-streaming', roundRatio(json, 'portkey', 'bare'));
  line('gateway ÷ portkey, non-streaming', roundRatio(json, 'gateway', 'portkey'));
  line('added latency p50 (ms)', addedLatency(report, 'gateway', 'p50'), 3);
  line('added latency p99 (ms)', addedLatency(report, 'gateway', 'p99'), 3);
  line('added latency over the bare pass-through p50 (ms)', addedLatency(report, 'gateway', 'p50', 'bare'), 3);
  line('added latency over the bare pass-through p99 (ms)', addedLatency(report, 'gateway', 'p99', 'bare'), 3);
  line('bare pass-through added latency over direct p50 (ms)', addedLatency(report, 'bare', 'p50'), 3);
  line('added time to first chunk p50 (ms)', addedLatency(report, 'gateway', 'ttfcP50'), 3);
  for (const stream of [false, true]) {
    const rows = report.ab?.filter((r) => r.stream === stream) ?? [];
    if (rows.length) line(`A/B CPU per call, gateway ÷ gateway-base, ${stream ? 'streaming' : 'non-streaming'}`, median(rows.map((r) => r.cpuSecondsPer10k[0] / r.cpuSecondsPer10k[1])));
  }
  summary.push('', 'Targets:');
  for (const t of TARGETS) summary.push(`  ${verdictMark(t.verdict(report)).replace(/\*/g, '').padEnd(13)} ${t.name}: ${fmt(t.measure(report), t.unit === 'ms' ? 3 : 2)} ${t.unit} (${t.threshold})`);
  return { markdown: `${out.join('\n')}\n`, summary: summary.join('\n') };
}
