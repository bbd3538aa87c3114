// Per-test isolation on the shared PostgreSQL and Redis: a fresh database per call,
// a fresh key prefix per call, both removed afterwards.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';

export function serviceUrls(): { databaseUrl: string; redisUrl: string } {
  return { databaseUrl: inject('databaseUrl'), redisUrl: inject('redisUrl') };
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A new, empty PostgreSQL database on the test server. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = serviceUrls().databaseUrl;
  const name = `gw_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const conn = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await conn.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await conn.end();
      }
    },
  };
}

/** A unique Redis key prefix for one test. */
export function redisPrefix(): string {
  return `gwtest:${randomBytes(6).toString('hex')}:`;
}
