import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SeriesCounter, SeriesHistogram } from './series-metrics.js';

const BUCKETS = [0.001, 0.01, 0.1, 1];
const OBSERVED = [0.0005, 0.001, 0.002, 0.05, 0.5, 3, 0.01];

async function render(fill: (registry: Registry) => void): Promise<string> {
  const registry = new Registry();
  fill(registry);
  return registry.metrics();
}

describe('series metrics', () => {
  it('render exactly what prom-client renders for the same observations', async () => {
    const ours = await render((registry) => {
      const histogram = new SeriesHistogram('h_seconds', 'help h', ['provider', 'stream'], BUCKETS).register(registry);
      const counter = new SeriesCounter('c_total', 'help c', ['provider', 'outcome']).register(registry);
      const a = histogram.series({ provider: 'openai', stream: 'false' });
      const b = histogram.series({ provider: 'anthropic', stream: 'true' });
      for (const value of OBSERVED) a.observe(value);
      b.observe(2);
      counter.series({ provider: 'openai', outcome: 'success' }).inc();
      counter.series({ provider: 'openai', outcome: 'success' }).inc(2);
      counter.series({ provider: 'openai', outcome: 'error' }).inc();
    });
    const theirs = await render((registry) => {
      const histogram = new Histogram({ name: 'h_seconds', help: 'help h', labelNames: ['provider', 'stream'], buckets: BUCKETS, registers: [registry] });
      const counter = new Counter({ name: 'c_total', help: 'help c', labelNames: ['provider', 'outcome'], registers: [registry] });
      for (const value of OBSERVED) histogram.observe({ provider: 'openai', stream: 'false' }, value);
      histogram.observe({ provider: 'anthropic', stream: 'true' }, 2);
      counter.inc({ provider: 'openai', outcome: 'success' });
      counter.inc({ provider: 'openai', outcome: 'success' }, 2);
      counter.inc({ provider: 'openai', outcome: 'error' });
    });
    expect(ours).toBe(theirs);
    expect(ours).toContain('h_seconds_bucket{le="0.001",provider="openai",stream="false"} 2');
  });

  it('binds one series per label set', () => {
    const histogram = new SeriesHistogram('x', 'x', ['a'], BUCKETS);
    expect(histogram.series({ a: '1' })).toBe(histogram.series({ a: '1' }));
    expect(histogram.series({ a: '1' })).not.toBe(histogram.series({ a: '2' }));
  });
});
