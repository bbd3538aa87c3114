// The soak (issue 9): mixed traffic at the benchmark's load against one org whose Main
// fails 5 % of its calls (503, 429, an error event at the head of a stream, in turn)
// and whose Fallback answers, both with concurrency caps. Every call is checked and
// accounted for: calls made = calls answered = usage rows written, no 5xx that the
// upstream did not cause, RSS flat after warm-up, event-loop delay p99 from /metrics.
import { Pool } from 'undici';
import { chatBody } from './load.js';
import { procSample, type Child } from './processes.js';
import { median } from './stats.js';

export interface SoakOptions {
  gateway: Child;
  upstream: Child;
  orgId: string;
  serviceToken: string;
  adminToken: string;
  connections: number;
  seconds: number;
}

export interface SoakResult {
  seconds: number;
  connections: number;
  callsMade: number;
  callsAnswered: number;
  usageRows: number;
  usageFailovers: number;
  usageErrors: number;
  statuses: Record<string, number>;
  /** 5xx whose error code says the gateway itself failed (not upstream_error / upstream_timeout). */
  gatewayCaused5xx: number;
  upstreamCaused5xx: number;
  /** 200 answers whose body was not a whole completion / a stream ending in [DONE]. */
  brokenBodies: number;
  transportErrors: number;
  streams: number;
  upstreamCalls: Record<string, number>;
  injectedFailures: number;
  warmupSeconds: number;
  rssAfterWarmupBytes: number;
  rssAtEndBytes: number;
  rssGrowthPercent: number;
  rssSeries: Array<[number, number]>;
  eventLoopP99Ms: { median: number; max: number; samples: number[] };
  /** The same number of calls spread over ten minutes: the rate that equals. */
  tenMinuteEquivalentRate: number;
}

const SCRAPE_EVERY_MS = 5_000;

function metricValue(text: string, name: string): number | null {
  const match = new RegExp(`^${name} ([0-9.eE+-]+)`, 'm').exec(text);
  return match ? Number(match[1]) : null;
}

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const { gateway, upstream } = options;
  await fetch(`${upstream.origin}/_reset`, { method: 'POST' });
  const pool = new Pool(gateway.origin, { connections: options.connections, pipelining: 1, keepAliveTimeout: 60_000 });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${options.serviceToken}`, 'x-org-id': options.orgId };
  const bodies = [chatBody(false), chatBody(true), chatBody(false), JSON.stringify({ ...JSON.parse(chatBody(true)), stream_options: { include_usage: true } })];

  const result = {
    callsMade: 0,
    callsAnswered: 0,
    statuses: {} as Record<string, number>,
    gatewayCaused5xx: 0,
    upstreamCaused5xx: 0,
    brokenBodies: 0,
    transportErrors: 0,
    streams: 0,
  };
  const startedAt = performance.now();
  const deadline = startedAt + options.seconds * 1000;
  // V8 grows the old generation for the first minute or so of full load before it
  // settles (bench/results: the floor climbs ~25 % in 60 s, then ~3 % in the next 160 s).
  const warmupSeconds = Math.min(60, Math.max(5, Math.round(options.seconds / 2)));
  const rssSeries: Array<[number, number]> = [];
  const loopP99: Array<[number, number]> = [];
  const rssTimer = setInterval(() => rssSeries.push([(performance.now() - startedAt) / 1000, procSample(gateway.pid).rssBytes]), 1_000);
  const scrape = async () => {
    try {
      const text = await (await fetch(`${gateway.origin}/metrics`)).text();
      const p99 = metricValue(text, 'nodejs_eventloop_lag_p99_seconds');
      if (p99 !== null) loopP99.push([(performance.now() - startedAt) / 1000, p99 * 1000]);
    } catch {
      // a missed scrape is not a soak failure
    }
  };
  await scrape(); // resets the lag histogram: the first interval starts with the soak
  loopP99.length = 0;
  const scrapeTimer = setInterval(() => void scrape(), SCRAPE_EVERY_MS);

  let sequence = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      const call = sequence++;
      const body = bodies[call % bodies.length];
      const stream = call % 2 === 1;
      result.callsMade++;
      if (stream) result.streams++;
      try {
        const response = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers, body });
        const text = await response.body.text();
        result.callsAnswered++;
        const status = response.statusCode;
        result.statuses[status] = (result.statuses[status] ?? 0) + 1;
        if (status === 200) {
          const whole = stream ? text.endsWith('data: [DONE]\n\n') && !text.includes('"error"') : text.includes('"object":"chat.completion"');
          if (!whole) result.brokenBodies++;
        } else if (status >= 500) {
          const code = /"code":"([a-z_]+)"/.exec(text)?.[1];
          if (code === 'upstream_error' || code === 'upstream_timeout') result.upstreamCaused5xx++;
          else result.gatewayCaused5xx++;
        }
      } catch {
        result.transportErrors++;
      }
    }
  };
  await Promise.all(Array.from({ length: options.connections }, worker));
  const elapsed = (performance.now() - startedAt) / 1000;
  clearInterval(rssTimer);
  clearInterval(scrapeTimer);
  await scrape();
  await pool.close();

  // The usage log is written in batches (USAGE_FLUSH_INTERVAL_MS): wait until it has caught up.
  let usage = { calls: 0, failovers: 0, errors: 0 };
  for (let attempt = 0; attempt < 40; attempt++) {
    const answer = await fetch(`${gateway.origin}/byok/${options.orgId}/usage?limit=1`, { headers: { authorization: `Bearer ${options.adminToken}` } });
    usage = ((await answer.json()) as { totals: typeof usage }).totals;
    if (usage.calls >= result.callsAnswered) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const stats = (await (await fetch(`${upstream.origin}/_stats`)).json()) as { calls: Record<string, number>; injected: Record<string, number> };

  // Under load RSS is a sawtooth (old-generation garbage piles up between major GCs):
  // growth is judged on its floor, the lowest sample of a 10 s window, where a leak shows.
  const floor = (from: number, to: number) => {
    const window = rssSeries.filter(([t]) => t >= from && t < to).map(([, rss]) => rss);
    return window.length ? Math.min(...window) : Math.min(...rssSeries.map(([, rss]) => rss));
  };
  const rssAfterWarmup = floor(warmupSeconds, warmupSeconds + 10);
  const rssAtEnd = floor(elapsed - 10, elapsed + 1);
  const loopSamples = loopP99.filter(([t]) => t >= warmupSeconds).map(([, ms]) => ms);
  return {
    ...result,
    seconds: elapsed,
    connections: options.connections,
    usageRows: usage.calls,
    usageFailovers: usage.failovers,
    usageErrors: usage.errors,
    upstreamCalls: stats.calls,
    injectedFailures: Object.values(stats.injected).reduce((a, b) => a + b, 0),
    warmupSeconds,
    rssAfterWarmupBytes: rssAfterWarmup,
    rssAtEndBytes: rssAtEnd,
    rssGrowthPercent: ((rssAtEnd - rssAfterWarmup) / rssAfterWarmup) * 100,
    rssSeries,
    eventLoopP99Ms: { median: median(loopSamples), max: loopSamples.length ? Math.max(...loopSamples) : Number.NaN, samples: loopSamples },
    tenMinuteEquivalentRate: result.callsMade / 600,
  };
}
