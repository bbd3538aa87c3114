// A test client on its own undici Agent (closed by the suite, so its keep-alive sockets
// never count as leaks), with helpers for the contract's error shape.
import { Agent, request } from 'undici';
import { expect } from 'vitest';

export interface ClientResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  ms: number;
}

export interface TestClient {
  send(url: string, options?: { method?: string; headers?: Record<string, string>; body?: string | Buffer; signal?: AbortSignal }): Promise<ClientResponse>;
  agent: Agent;
  close(): Promise<void>;
}

export function createTestClient(): TestClient {
  const agent = new Agent({ keepAliveTimeout: 1_000 });
  return {
    agent,
    async send(url, options = {}) {
      const started = performance.now();
      const res = await request(url, {
        method: (options.method ?? 'GET') as 'GET',
        headers: options.headers,
        body: options.body,
        signal: options.signal,
        dispatcher: agent,
      });
      const text = await res.body.text();
      return { status: res.statusCode, headers: res.headers, text, ms: performance.now() - started };
    },
    close: () => agent.close(),
  };
}

export interface ContractError {
  error: { message: string; type: string; code: string; param: string | null };
}

/** The body is the contract's error shape; returns it parsed. */
export function contractError(text: string): ContractError {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`error body is not JSON: ${text.slice(0, 300)}`);
  }
  const error = (body as ContractError | null)?.error as ContractError['error'];
  expect(error, text.slice(0, 300)).toBeTypeOf('object');
  expect(typeof error.message, text.slice(0, 300)).toBe('string');
  expect(error.message.length).toBeGreaterThan(0);
  expect(typeof error.type).toBe('string');
  expect(typeof error.code).toBe('string');
  expect(error.param === null || typeof error.param === 'string').toBe(true);
  return body as ContractError;
}

/** Whether a parsed value has the contract's error shape (for property tests, which must not throw mid-run). */
export function isContractError(body: unknown): boolean {
  const error = (body as ContractError | null)?.error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof error.message === 'string' &&
    error.message.length > 0 &&
    typeof error.type === 'string' &&
    typeof error.code === 'string' &&
    error.code.length > 0 &&
    (error.param === null || typeof error.param === 'string')
  );
}

/** Counts of the process's open TCP handles (sockets and servers), for leak checks. */
export function tcpHandles(): { sockets: number; servers: number } {
  const info = process.getActiveResourcesInfo();
  return { sockets: info.filter((r) => r === 'TCPSocketWrap').length, servers: info.filter((r) => r === 'TCPServerWrap').length };
}
