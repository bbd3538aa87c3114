// An OpenAI-format upstream whose answers are scripted per request, for failure
// scenarios: statuses with headers, slow first bytes, stalled streams, resets.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Step =
  | { kind: 'ok'; text?: string; delayMs?: number }
  | { kind: 'stream'; text?: string; delayMs?: number; gapMs?: number; stallAfter?: number; noDone?: boolean; resetAfter?: number }
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'hang' }
  | { kind: 'reset' };

export interface ScenarioUpstream {
  baseUrl: string;
  /** Requests received, with the time they arrived and left. */
  calls: Array<{ path: string; headers: IncomingHttpHeaders; body: any }>;
  inFlight(): number;
  maxInFlight(): number;
  /** Answers the next requests with these steps, then falls back to `ok`. */
  script(...steps: Step[]): void;
  close(): Promise<void>;
}

function completion(text: string) {
  return {
    id: 'chatcmpl-upstream',
    object: 'chat.completion',
    created: 1,
    model: 'up-model',
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
  };
}

function chunk(delta: Record<string, unknown>, finish: string | null = null, usage?: unknown) {
  return `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'up-model', choices: usage ? [] : [{ index: 0, delta, finish_reason: finish }], ...(usage ? { usage } : {}) })}\n\n`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startScenarioUpstream(defaultText = 'upstream says hi'): Promise<ScenarioUpstream> {
  const queue: Step[] = [];
  const calls: ScenarioUpstream['calls'] = [];
  const sockets = new Set<Socket>();
  let inFlight = 0;
  let maxInFlight = 0;

  async function answer(step: Step, res: ServerResponse): Promise<void> {
    switch (step.kind) {
      case 'ok': {
        if (step.delayMs) await sleep(step.delayMs);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(completion(step.text ?? defaultText)));
        return;
      }
      case 'status':
        res.writeHead(step.status, { 'content-type': 'application/json', ...step.headers }).end(JSON.stringify(step.body ?? { error: { message: `status ${step.status}`, type: 'error' } }));
        return;
      case 'hang':
        await new Promise((resolve) => res.once('close', resolve));
        return;
      case 'reset':
        res.socket?.destroy();
        return;
      case 'stream': {
        if (step.delayMs) await sleep(step.delayMs);
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const words = (step.text ?? defaultText).split(' ');
        const frames = [chunk({ role: 'assistant', content: '' }), ...words.map((w, i) => chunk({ content: i ? ` ${w}` : w })), chunk({}, 'stop'), chunk({}, null, { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 })];
        for (let i = 0; i < frames.length; i++) {
          if (res.destroyed) return;
          if (step.stallAfter !== undefined && i === step.stallAfter) {
            await new Promise((resolve) => res.once('close', resolve));
            return;
          }
          if (step.resetAfter !== undefined && i === step.resetAfter) {
            res.socket?.destroy();
            return;
          }
          res.write(frames[i]);
          await sleep(step.gapMs ?? 2);
        }
        res.end(step.noDone ? '' : 'data: [DONE]\n\n');
        return;
      }
    }
  }

  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (p: Buffer) => parts.push(p));
    req.on('end', () => {
      const raw = Buffer.concat(parts).toString('utf8');
      let body: any = raw;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        // kept raw
      }
      calls.push({ path: req.url ?? '/', headers: req.headers, body });
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const done = () => {
        inFlight--;
      };
      res.once('close', done);
      const step: Step = queue.shift() ?? (body?.stream ? { kind: 'stream' } : { kind: 'ok' });
      void answer(step, res).catch(() => res.destroy());
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    calls,
    inFlight: () => inFlight,
    maxInFlight: () => maxInFlight,
    script: (...steps) => queue.push(...steps),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
