// The benchmark's processes: each server (upstream, bare pass-through, gateways, the
// Portkey peer) in its own child, so RSS and CPU are per process and the load
// generator never shares their event loop. RSS and CPU time come from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
export const REPO_DIR = fileURLToPath(new URL('..', import.meta.url));

const CLOCK_TICKS = 100; // USER_HZ on Linux

export interface Child {
  name: string;
  pid: number;
  port: number;
  origin: string;
  logPath: string | null;
  /** The process's own view of its memory (gateways answer over IPC); null when it does not answer. */
  memory(): Promise<NodeJS.MemoryUsage | null>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** A TypeScript entry run with tsx (the way `npm start` runs the gateway), or a plain JS file. */
  script: string;
  args?: string[];
  env?: Record<string, string>;
  /** Extra node flags (--cpu-prof …). */
  nodeArgs?: string[];
  /** stdout and stderr go here (the gateway's log lines); else they are discarded, stderr kept for errors. */
  logPath?: string;
  /** For servers that do not report over IPC: the port to poll until it accepts connections. */
  port?: number;
  cwd?: string;
}

function tail(text: string): string {
  return text.split('\n').slice(-20).join('\n');
}

export async function startChild(name: string, options: StartOptions): Promise<Child> {
  const ts = options.script.endsWith('.ts');
  const logFd = options.logPath ? openSync(options.logPath, 'a') : null;
  const argv = [...(ts ? ['--import', 'tsx'] : []), ...(options.nodeArgs ?? []), options.script, ...(options.args ?? [])];
  const child: ChildProcess = spawn(process.execPath, argv, {
    cwd: options.cwd ?? REPO_DIR,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', logFd ?? 'ignore', logFd ?? 'pipe', 'ipc'],
  });
  if (logFd !== null) closeSync(logFd);
  let stderr = '';
  child.stderr?.on('data', (part: Buffer) => {
    stderr = (stderr + part.toString()).slice(-8_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 60 s\n${tail(stderr)}`)), 60_000);
    const failed = (code: number | string | null) => {
      clearTimeout(timer);
      const log = options.logPath ? tail(readFileSync(options.logPath, 'utf8')) : '';
      reject(new Error(`${name} exited (${code}) before it was ready\n${tail(stderr)}${log}`));
    };
    child.once('exit', failed);
    if (options.port !== undefined) {
      const wanted = options.port;
      void waitForPort(wanted, 60_000).then(
        () => {
          clearTimeout(timer);
          child.off('exit', failed);
          resolve(wanted);
        },
        (error: Error) => failed(error.message),
      );
      return;
    }
    child.once('message', (message: { ready?: boolean; port?: number }) => {
      if (message?.ready && message.port) {
        clearTimeout(timer);
        child.off('exit', failed);
        resolve(message.port);
      }
    });
  });

  return {
    name,
    pid: child.pid!,
    port,
    origin: `http://127.0.0.1:${port}`,
    logPath: options.logPath ?? null,
    memory() {
      if (!child.connected) return Promise.resolve(null);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          child.off('message', onMessage);
          resolve(null);
        }, 1_000);
        const onMessage = (message: { type?: string; memory?: NodeJS.MemoryUsage }) => {
          if (message?.type !== 'memory') return;
          clearTimeout(timer);
          child.off('message', onMessage);
          resolve(message.memory ?? null);
        };
        child.on('message', onMessage);
        child.send({ type: 'memory' });
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

export function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`port ${port} did not open`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

export interface ProcSample {
  rssBytes: number;
  /** User + system CPU time of the whole process (every thread), ms. */
  cpuMs: number;
}

export function procSample(pid: number): ProcSample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { rssBytes: rssKb * 1024, cpuMs: (ticks * 1000) / CLOCK_TICKS };
}

/** Samples RSS every `everyMs` until stopped; returns the samples (bytes). */
export function sampleRss(pid: number, everyMs = 100): { stop(): number[] } {
  const samples: number[] = [procSample(pid).rssBytes];
  const timer = setInterval(() => samples.push(procSample(pid).rssBytes), everyMs);
  return {
    stop() {
      clearInterval(timer);
      samples.push(procSample(pid).rssBytes);
      return samples;
    },
  };
}
