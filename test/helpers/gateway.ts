// Runs the whole gateway on a real port for end-to-end tests: real storage (PGlite or
// a fresh PostgreSQL database), optionally real Redis, every log line captured.
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../src/app.js';
import { connectRedis } from '../../src/bootstrap.js';
import { loadConfig, type GatewayConfig } from '../../src/config.js';
import { KeyVault, generateMasterKey } from '../../src/keys/vault.js';
import { loggerOptions } from '../../src/plugins/logger.js';
import type { Storage } from '../../src/store/db.js';
import { redisPrefix, serviceUrls } from './services.js';
import { openTestStorage, type StorageKind } from './storage.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const SERVICE_TOKEN = 'test-service-token-0123456789';

export interface TestGateway {
  app: FastifyInstance;
  url: string;
  storage: Storage;
  logs: string[];
  admin: Record<string, string>;
  service: (orgId: string) => Record<string, string>;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  storage?: StorageKind;
  /** An already open storage shared between instances (the caller closes it). */
  sharedStorage?: Storage;
  redis?: boolean;
  /** A Redis URL other than the test server's (a proxy, a closed port). */
  redisUrl?: string;
  redisPrefix?: string;
  env?: Record<string, string>;
  masterKeys?: string;
  listen?: boolean;
}

export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const config: GatewayConfig = loadConfig({
    GATEWAY_ADMIN_TOKENS: ADMIN_TOKEN,
    GATEWAY_SERVICE_TOKENS: SERVICE_TOKEN,
    LOG_LEVEL: 'debug',
    QUEUE_WAIT_MS: '2000',
    USAGE_FLUSH_INTERVAL_MS: '50',
    ...options.env,
  });
  const storage = options.sharedStorage ?? (await openTestStorage(options.storage ?? 'postgres'));
  const sharedStorage = options.sharedStorage;
  const logs: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const logger = pino(loggerOptions('debug'), stream);
  const app = await buildApp({
    config,
    storage: sharedStorage ? { ...sharedStorage, close: async () => {} } : storage,
    vault: KeyVault.fromSpec(options.masterKeys ?? generateMasterKey('test1')),
    redis: options.redisUrl ? connectRedis(options.redisUrl) : options.redis ? connectRedis(serviceUrls().redisUrl) : null,
    redisPrefix: options.redisPrefix ?? redisPrefix(),
    logger,
  });
  let url = '';
  if (options.listen !== false) url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    app,
    url,
    storage,
    logs,
    admin: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    service: (orgId) => ({ authorization: `Bearer ${SERVICE_TOKEN}`, 'x-org-id': orgId, 'content-type': 'application/json' }),
    close: () => app.close(),
  };
}
