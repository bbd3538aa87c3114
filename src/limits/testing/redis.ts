// Test support for the Redis-backed limits: clients that are always closed, keys
// that are always removed, and a wait for asynchronous state.
import net from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';

export interface RedisFixture {
  /** Connected and ready; to the test Redis unless options name another host and port. */
  client(options?: RedisOptions): Promise<Redis>;
  /** A client for a port nobody listens on: offline queue off, quick retries. */
  unreachableClient(): Promise<Redis>;
  /** Every key under the prefix. */
  keys(): Promise<string[]>;
  cleanup(): Promise<void>;
}

export function redisFixture(redisUrl: string, prefix: string): RedisFixture {
  const clients: Redis[] = [];
  const admin = new Redis(redisUrl, { lazyConnect: true });
  const track = (redis: Redis) => {
    redis.on('error', () => {});
    clients.push(redis);
    return redis;
  };
  const keys = async () => {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      found.push(...batch);
    } while (cursor !== '0');
    return found;
  };
  return {
    async client(options = {}) {
      // ioredis lets the URL win over options: a client aimed elsewhere (a proxy) passes no URL.
      const redis = track(options.port ? new Redis(options) : new Redis(redisUrl, options));
      await ready(redis);
      return redis;
    },
    async unreachableClient() {
      const port = await closedPort();
      return track(new Redis({ host: '127.0.0.1', port, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 100 }));
    },
    keys,
    async cleanup() {
      const found = await keys();
      if (found.length > 0) await admin.del(...found);
      await admin.quit();
      for (const redis of clients) redis.disconnect();
    },
  };
}

export function ready(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    redis.once('ready', resolve);
    redis.once('end', () => reject(new Error('Redis connection ended before it was ready')));
  });
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
