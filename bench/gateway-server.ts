// The gateway as the benchmark runs it: exactly src/server.ts's start-up (loadConfig,
// prepareRuntime, buildApp, listen), plus the two things a benchmark needs: a Redis
// key prefix of its own (BENCH_REDIS_PREFIX) and its port reported over IPC.
import { buildApp } from '../src/app.js';
import { prepareRuntime } from '../src/bootstrap.js';
import { loadConfig } from '../src/config.js';

const config = loadConfig();
const runtime = await prepareRuntime(config);
const app = await buildApp({ ...runtime, redisPrefix: process.env.BENCH_REDIS_PREFIX ?? 'byokgw:' });
for (const notice of runtime.notices) app.log[notice.level](notice.message);

let closing = false;
async function shutdown(): Promise<void> {
  if (closing) return;
  closing = true;
  setTimeout(() => process.exit(1), 10_000).unref();
  await app.close().catch(() => {});
  process.exit(0); // --cpu-prof writes its profile here
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
process.on('disconnect', () => void shutdown());

// The benchmark asks for the heap's make-up beside the RSS it reads from /proc.
process.on('message', (message: { type?: string }) => {
  if (message?.type === 'memory') process.send?.({ type: 'memory', memory: process.memoryUsage() });
});

const address = await app.listen({ port: runtime.config.port, host: runtime.config.host });
const port = Number(new URL(address).port);
if (process.send) process.send({ ready: true, port });
else process.stdout.write(`gateway on ${address}\n`);
