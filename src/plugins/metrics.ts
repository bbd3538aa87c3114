// Prometheus metrics: one prom-client Registry per app (never the global default, so
// two apps in one process, as in the tests, keep separate counts). The call path
// reports through the GatewayObserver interface; the permit, queue, usage-log and
// semaphore-mode gauges are read from their owners on each scrape.
//
// Label values are bounded: providers are the registry's ids, models only the curated
// catalogue's and the env Fixed Mode's (anything else an org types is `other`), permit
// keys are the semaphore's short hashes, and no org id or key material ever appears.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { GatewayConfig } from '../config.js';
import type { CallObservation, GatewayObserver } from '../gateway/events.js';
import type { Semaphore, SemaphoreMode } from '../limits/index.js';
import { CURATED_MODELS, PROVIDER_IDS } from '../providers/registry.js';
import { SeriesCounter, SeriesHistogram, type CounterSeries, type HistogramSeries } from './series-metrics.js';

interface CallSeries {
  requests: CounterSeries;
  latency: HistogramSeries;
  ttft: HistogramSeries;
  overhead: HistogramSeries;
}

export const FAILOVER_REASONS = [
  'rate_limited',
  'quota_exhausted',
  'server_error',
  'auth_failed',
  'model_not_found',
  'timeout',
  'network_error',
  'main_disabled',
  'main_saturated',
] as const;

const SEMAPHORE_MODES: readonly SemaphoreMode[] = ['redis', 'local', 'degraded'];
const OUTCOMES = new Set(['success', 'error', 'cancelled', 'truncated', 'rejected']);

/** Seconds. Whole calls run from tens of milliseconds to minutes (long reasoning streams). */
const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300];
const TTFT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60];
/** The gateway's own share: sub-millisecond when all is well, more when it queues for a permit. */
const OVERHEAD_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export interface MetricsSources {
  semaphore: Pick<Semaphore, 'stats' | 'mode'>;
  usage: { backlog(): number; dropped(): number };
}

export interface GatewayMetrics extends GatewayObserver {
  readonly registry: Registry;
  /** The Prometheus text exposition of every metric. */
  render(): Promise<string>;
  readonly contentType: string;
}

export interface GatewayMetricsOptions {
  /** Model ids allowed as label values besides the curated catalogue (the env Fixed Mode's). */
  models?: Iterable<string>;
  /** Process metrics (CPU, memory, event-loop lag, GC). Default true. */
  processMetrics?: boolean;
}

/** Model ids that may appear as label values: the curated catalogue and the env Fixed Mode. */
export function configuredModels(config: Pick<GatewayConfig, 'fixedMain' | 'fixedFallback'>): string[] {
  return [...CURATED_MODELS.map((m) => m.model), config.fixedMain?.model, config.fixedFallback?.model].filter((m): m is string => Boolean(m));
}

export function createGatewayMetrics(sources: MetricsSources, options: GatewayMetricsOptions = {}): GatewayMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });

  const knownModels = new Set([...CURATED_MODELS.map((m) => m.model), ...(options.models ?? [])]);
  const knownProviders = new Set<string>(PROVIDER_IDS);
  const knownReasons = new Set<string>(FAILOVER_REASONS);
  const providerLabel = (provider: string) => (knownProviders.has(provider) ? provider : 'unknown');
  const modelLabel = (model: string) => (knownModels.has(model) ? model : 'other');

  // The four metrics every chat call updates: label sets bound once (series-metrics.ts).
  const requests = new SeriesCounter(
    'gateway_requests_total',
    'Chat calls by the provider, model and slot that served (or failed) them and their outcome (success, error, cancelled, truncated, rejected).',
    ['provider', 'model', 'slot', 'outcome', 'stream'] as const,
  ).register(registry);
  const latency = new SeriesHistogram(
    'gateway_request_duration_seconds',
    'Whole chat call, from the request arriving to the last byte (streams) or the answer (JSON).',
    ['provider', 'model', 'slot', 'stream'] as const,
    LATENCY_BUCKETS,
  ).register(registry);
  const ttft = new SeriesHistogram(
    'gateway_time_to_first_token_seconds',
    'Streams: from the request arriving to the first chunk written to the caller.',
    ['provider', 'model', 'slot'] as const,
    TTFT_BUCKETS,
  ).register(registry);
  const overhead = new SeriesHistogram(
    'gateway_overhead_seconds',
    "The gateway's own time per call: total time minus time waiting on the upstream (includes queueing for a permit).",
    ['provider', 'stream'] as const,
    OVERHEAD_BUCKETS,
  ).register(registry);
  // Keyed by label values, which are bounded (see the top of this file), so this map is too.
  const callSeries = new Map<string, CallSeries>();
  const seriesFor = (provider: string, model: string, slot: string, stream: string, outcome: string): CallSeries => {
    const key = `${provider}\u0000${model}\u0000${slot}\u0000${stream}\u0000${outcome}`;
    let found = callSeries.get(key);
    if (!found) {
      found = {
        requests: requests.series({ provider, model, slot, outcome, stream }),
        latency: latency.series({ provider, model, slot, stream }),
        ttft: ttft.series({ provider, model, slot }),
        overhead: overhead.series({ provider, stream }),
      };
      callSeries.set(key, found);
    }
    return found;
  };
  const failovers = new Counter({
    name: 'gateway_failovers_total',
    help: 'Calls that went from Main to Fallback, by reason.',
    labelNames: ['reason'] as const,
    registers,
  });
  const softDisables = new Counter({
    name: 'gateway_soft_disables_total',
    help: 'Stored keys disabled after repeated 401/403 answers, by provider.',
    labelNames: ['provider'] as const,
    registers,
  });
  for (const reason of FAILOVER_REASONS) failovers.inc({ reason }, 0);

  new Gauge({
    name: 'gateway_permits_in_flight',
    help: 'Concurrency permits held by this instance, per credential (permit_key: a short hash of provider, base URL and key fingerprint).',
    labelNames: ['permit_key'] as const,
    registers,
    collect() {
      this.reset();
      for (const stat of sources.semaphore.stats()) this.set({ permit_key: stat.key }, stat.inFlight);
    },
  });
  new Gauge({
    name: 'gateway_permit_queue_depth',
    help: 'Calls waiting on this instance for a concurrency permit, per credential (permit_key as above).',
    labelNames: ['permit_key'] as const,
    registers,
    collect() {
      this.reset();
      for (const stat of sources.semaphore.stats()) this.set({ permit_key: stat.key }, stat.queued);
    },
  });
  new Gauge({
    name: 'gateway_semaphore_mode',
    help: '1 for the mode the concurrency limits run in: redis (shared), local (no REDIS_URL) or degraded (Redis unreachable, enforced per instance).',
    labelNames: ['mode'] as const,
    registers,
    collect() {
      const current = sources.semaphore.mode();
      for (const mode of SEMAPHORE_MODES) this.set({ mode }, mode === current ? 1 : 0);
    },
  });
  new Gauge({
    name: 'gateway_usage_log_backlog',
    help: 'Usage rows buffered in memory, not yet written to storage.',
    registers,
    collect() {
      this.set(sources.usage.backlog());
    },
  });
  let droppedSeen = 0;
  new Counter({
    name: 'gateway_usage_log_dropped_total',
    help: 'Usage rows dropped because storage stayed unreachable past USAGE_BUFFER_LIMIT.',
    registers,
    collect() {
      const dropped = sources.usage.dropped();
      if (dropped > droppedSeen) this.inc(dropped - droppedSeen);
      droppedSeen = dropped;
    },
  });

  return {
    registry,
    contentType: registry.contentType,
    render: () => registry.metrics(),
    call(observation: CallObservation) {
      const provider = providerLabel(observation.provider);
      const model = modelLabel(observation.model);
      const slot = observation.slot === 'fallback' ? 'fallback' : 'main';
      const stream = observation.stream ? 'true' : 'false';
      const outcome = OUTCOMES.has(observation.outcome) ? observation.outcome : 'error';
      const series = seriesFor(provider, model, slot, stream, outcome);
      series.requests.inc();
      series.latency.observe(observation.latencyMs / 1000);
      if (observation.ttftMs !== null) series.ttft.observe(observation.ttftMs / 1000);
      series.overhead.observe(Math.max(0, observation.overheadMs) / 1000);
    },
    failover(reason: string) {
      failovers.inc({ reason: knownReasons.has(reason) ? reason : 'other' });
    },
    softDisable(provider: string) {
      softDisables.inc({ provider: providerLabel(provider) });
    },
  };
}

/** Calls every observer in turn (the app's metrics and, in tests, a counting observer). */
export function combineObservers(...observers: GatewayObserver[]): GatewayObserver {
  return {
    call: (observation) => observers.forEach((o) => o.call(observation)),
    failover: (reason) => observers.forEach((o) => o.failover(reason)),
    softDisable: (provider) => observers.forEach((o) => o.softDisable(provider)),
  };
}
