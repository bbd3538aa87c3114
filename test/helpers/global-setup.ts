// Finds PostgreSQL and Redis for the tests: DATABASE_URL / REDIS_URL when set (CI and
// these machines), else containers started with testcontainers where a Docker engine
// exists, else a clear failure. (The standard local ports are tried before Docker.) Nothing that needs a service is skipped.
import { connect } from 'node:net';
import type { TestProject } from 'vitest/node';

interface Stoppable {
  stop(): Promise<unknown>;
}

const LOCAL_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
const LOCAL_REDIS_URL = 'redis://127.0.0.1:6379';

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(500);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

async function dockerAvailable(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started: Stoppable[] = [];
  let databaseUrl = process.env.DATABASE_URL ?? '';
  let redisUrl = process.env.REDIS_URL ?? '';

  // A developer machine with the services on their standard local ports needs no env.
  if (!databaseUrl && (await portOpen(5432))) databaseUrl = LOCAL_DATABASE_URL;
  if (!redisUrl && (await portOpen(6379))) redisUrl = LOCAL_REDIS_URL;

  if ((!databaseUrl || !redisUrl) && (await dockerAvailable())) {
    const { GenericContainer, Wait } = await import('testcontainers');
    if (!databaseUrl) {
      const pg = await new GenericContainer('postgres:17-alpine')
        .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust', POSTGRES_DB: 'test' })
        .withExposedPorts(5432)
        .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
        .start();
      started.push(pg);
      databaseUrl = `postgres://postgres@${pg.getHost()}:${pg.getMappedPort(5432)}/test`;
    }
    if (!redisUrl) {
      const redis = await new GenericContainer('redis:7-alpine').withExposedPorts(6379).start();
      started.push(redis);
      redisUrl = `redis://${redis.getHost()}:${redis.getMappedPort(6379)}`;
    }
  }

  const missing = [!databaseUrl && 'DATABASE_URL (PostgreSQL)', !redisUrl && 'REDIS_URL (Redis)'].filter(Boolean);
  if (missing.length > 0) {
    throw new Error(
      `The tests need ${missing.join(' and ')}. Set them (e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/test ` +
        `REDIS_URL=redis://127.0.0.1:6379 npm test), or run a Docker engine so testcontainers can start them.`,
    );
  }

  process.env.DATABASE_URL = databaseUrl;
  process.env.REDIS_URL = redisUrl;
  project.provide('databaseUrl', databaseUrl);
  project.provide('redisUrl', redisUrl);

  return async () => {
    await Promise.all(started.map((c) => c.stop()));
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
  }
}
