// Start-up: turns configuration into the app's dependencies. On the embedded default
// (no DATABASE_URL) it generates what a first start needs into DATA_DIR: a master key
// and one admin and one service token, files mode 0600, printed once.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import { ConfigError, type GatewayConfig } from './config.js';
import { KeyVault, generateMasterKey } from './keys/vault.js';
import { openStorage, type Storage } from './store/db.js';

export interface Notice {
  level: 'warn' | 'info';
  message: string;
}

export interface Runtime {
  config: GatewayConfig;
  storage: Storage;
  vault: KeyVault;
  redis: Redis | null;
  notices: Notice[];
  /** Shown once, when the tokens were generated on this start. */
  generatedTokens: { admin: string; service: string } | null;
}

function writeSecretFile(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
}

function embeddedMasterKey(dataDir: string, notices: Notice[]): string {
  const path = join(dataDir, 'master.key');
  if (!existsSync(path)) {
    writeSecretFile(path, `${generateMasterKey('local1')}\n`);
    notices.push({
      level: 'warn',
      message: `Generated a master key into ${path} (mode 0600). Back it up: stored provider keys cannot be decrypted without it. In production set BYOK_MASTER_KEYS instead.`,
    });
  }
  return readFileSync(path, 'utf8').trim();
}

function embeddedTokens(dataDir: string): { admin: string; service: string; generated: boolean } {
  const path = join(dataDir, 'tokens.json');
  if (!existsSync(path)) {
    const tokens = { admin: `gwa_${randomBytes(24).toString('base64url')}`, service: `gws_${randomBytes(24).toString('base64url')}` };
    writeSecretFile(path, `${JSON.stringify(tokens, null, 2)}\n`);
    return { ...tokens, generated: true };
  }
  const tokens = JSON.parse(readFileSync(path, 'utf8')) as { admin: string; service: string };
  return { ...tokens, generated: false };
}

// ioredis is loaded only when REDIS_URL is set: an instance without Redis saves its
// ~4 MB of RSS (measured with bench/).
const require = createRequire(import.meta.url);

export function connectRedis(url: string): Redis {
  const { Redis: RedisClient } = require('ioredis') as typeof import('ioredis');
  const redis = new RedisClient(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    commandTimeout: 1_000,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    // Commands issued in the same tick (the permits of concurrent calls) share one socket write.
    enableAutoPipelining: true,
  });
  // Connection errors are reported through the semaphore's mode and /readyz.
  redis.on('error', () => {});
  return redis;
}

export async function prepareRuntime(config: GatewayConfig): Promise<Runtime> {
  const notices: Notice[] = [];
  const embedded = !config.databaseUrl;
  if (embedded) mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });

  let masterKeys = config.masterKeys;
  if (!masterKeys) {
    if (!embedded) {
      throw new ConfigError(
        'BYOK_MASTER_KEYS is required with DATABASE_URL: set it to kid:base64key (generate a key with: openssl rand -base64 32), e.g. BYOK_MASTER_KEYS=k1:<key>.',
      );
    }
    masterKeys = embeddedMasterKey(config.dataDir, notices);
  }
  const vault = KeyVault.fromSpec(masterKeys);

  let generatedTokens: Runtime['generatedTokens'] = null;
  let resolved = config;
  if (config.adminTokens.length === 0 || config.serviceTokens.length === 0) {
    if (!embedded) {
      throw new ConfigError('GATEWAY_ADMIN_TOKENS and GATEWAY_SERVICE_TOKENS are required with DATABASE_URL (comma-separated bearer tokens).');
    }
    const tokens = embeddedTokens(config.dataDir);
    if (tokens.generated) generatedTokens = { admin: tokens.admin, service: tokens.service };
    resolved = {
      ...config,
      adminTokens: config.adminTokens.length ? config.adminTokens : [tokens.admin],
      serviceTokens: config.serviceTokens.length ? config.serviceTokens : [tokens.service],
    };
    if (!tokens.generated) notices.push({ level: 'info', message: `Using the tokens kept in ${join(config.dataDir, 'tokens.json')}.` });
  }

  const storage = await openStorage({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const redis = config.redisUrl ? connectRedis(config.redisUrl) : null;
  if (redis) {
    await new Promise<void>((resolve) => {
      const done = () => resolve();
      redis.once('ready', done);
      setTimeout(done, 2_000).unref();
    });
    if (redis.status !== 'ready') notices.push({ level: 'warn', message: 'Redis is unreachable at start: concurrency limits run in-process until it answers.' });
  }
  return { config: resolved, storage, vault, redis, notices, generatedTokens };
}
