// The one place that reads process.env: environment → typed configuration.

export interface FixedSlotConfig {
  provider: string;
  model: string;
  apiKey: string;
  baseUrl: string | null;
}

export interface GatewayConfig {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | null;
  redisUrl: string | null;
  /** Raw `kid:base64key,…`; null when unset. */
  masterKeys: string | null;
  adminTokens: string[];
  serviceTokens: string[];
  softDisableAfter: number;
  upstreamConnectTimeoutMs: number;
  upstreamFirstByteTimeoutMs: number;
  upstreamIdleTimeoutMs: number;
  probeTimeoutMs: number;
  queueWaitMs: number;
  blockPrivateNetworks: boolean;
  logLevel: string;
  bodyLimitBytes: number;
  shutdownGraceMs: number;
  usageFlushIntervalMs: number;
  usageBufferLimit: number;
  fixedMain: FixedSlotConfig | null;
  fixedFallback: FixedSlotConfig | null;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigError(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  }
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${env[name]}"`);
}

function list(env: Env, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function fixedSlot(env: Env, prefix: 'BYOK_MAIN' | 'BYOK_FALLBACK'): FixedSlotConfig | null {
  const provider = env[`${prefix}_PROVIDER`]?.trim();
  const model = env[`${prefix}_MODEL`]?.trim();
  const apiKey = env[`${prefix}_API_KEY`]?.trim();
  const baseUrl = env[`${prefix}_BASE_URL`]?.trim() || null;
  if (!provider && !model && !apiKey) return null;
  const missing = [!provider && `${prefix}_PROVIDER`, !model && `${prefix}_MODEL`].filter(Boolean);
  if (missing.length) throw new ConfigError(`Env Fixed Mode is incomplete: set ${missing.join(' and ')}`);
  return { provider: provider!, model: model!, apiKey: apiKey ?? '', baseUrl };
}

export function loadConfig(env: Env = process.env): GatewayConfig {
  const fixedMain = fixedSlot(env, 'BYOK_MAIN');
  const fixedFallback = fixedSlot(env, 'BYOK_FALLBACK');
  if (fixedFallback && !fixedMain) throw new ConfigError('BYOK_FALLBACK_* is set without BYOK_MAIN_*: configure the Main slot first');
  return {
    port: int(env, 'PORT', 8080),
    host: env.HOST?.trim() || '127.0.0.1',
    dataDir: env.DATA_DIR?.trim() || './data',
    databaseUrl: env.DATABASE_URL?.trim() || null,
    redisUrl: env.REDIS_URL?.trim() || null,
    masterKeys: env.BYOK_MASTER_KEYS?.trim() || null,
    adminTokens: list(env, 'GATEWAY_ADMIN_TOKENS'),
    serviceTokens: list(env, 'GATEWAY_SERVICE_TOKENS'),
    softDisableAfter: int(env, 'SOFT_DISABLE_AFTER', 3, 1),
    upstreamConnectTimeoutMs: int(env, 'UPSTREAM_CONNECT_TIMEOUT_MS', 10_000, 1),
    upstreamFirstByteTimeoutMs: int(env, 'UPSTREAM_FIRST_BYTE_TIMEOUT_MS', 120_000, 1),
    upstreamIdleTimeoutMs: int(env, 'UPSTREAM_IDLE_TIMEOUT_MS', 60_000, 1),
    probeTimeoutMs: int(env, 'PROBE_TIMEOUT_MS', 10_000, 1),
    queueWaitMs: int(env, 'QUEUE_WAIT_MS', 5_000, 0),
    blockPrivateNetworks: bool(env, 'UPSTREAM_BLOCK_PRIVATE_NETWORKS', false),
    logLevel: env.LOG_LEVEL?.trim() || 'info',
    bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 20 * 1024 * 1024, 1024),
    shutdownGraceMs: int(env, 'SHUTDOWN_GRACE_MS', 30_000, 0),
    usageFlushIntervalMs: int(env, 'USAGE_FLUSH_INTERVAL_MS', 1_000, 10),
    usageBufferLimit: int(env, 'USAGE_BUFFER_LIMIT', 100_000, 100),
    fixedMain,
    fixedFallback,
  };
}
