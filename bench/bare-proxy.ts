// The bare pass-through: the thinnest Fastify + undici proxy, the floor the gateway is
// measured against. It forwards the request body untouched to the same path on the
// upstream (keep-alive pool) and returns the upstream's status, content type and body
// (piped, so a stream stays a stream). No auth, no parsing, no logging, no usage.
//
// Run as a child process of bench/run.ts: it reports its port over IPC.
import Fastify from 'fastify';
import { Agent, request } from 'undici';

const upstream = process.env.BENCH_UPSTREAM;
if (!upstream) throw new Error('BENCH_UPSTREAM (the upstream origin) is required');

const dispatcher = new Agent({ keepAliveTimeout: 60_000, connections: null, pipelining: 1 });
const app = Fastify({ logger: false, bodyLimit: 20 * 1024 * 1024 });
app.removeContentTypeParser('application/json');
app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

app.post('/*', async (req, reply) => {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  const answer = await request(`${upstream}${req.url}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: req.headers.authorization ?? '' },
    body: req.body as Buffer,
    dispatcher,
    signal: controller.signal,
  });
  reply.code(answer.statusCode).header('content-type', answer.headers['content-type'] ?? 'application/json');
  return reply.send(answer.body);
});

app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' }).then((address) => {
  const port = Number(new URL(address).port);
  if (process.send) process.send({ ready: true, port });
  else process.stdout.write(`bare pass-through on ${address} → ${upstream}\n`);
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
