// The deployment files say what the code does: .env.example lists every variable
// src/config.ts reads, the Dockerfile builds the image the contract describes, and
// compose.yaml wires the gateway to PostgreSQL and Redis. (No Docker engine runs here:
// test/docker-start.test.ts runs the image's start command outside Docker.)
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

/** The variable names src/config.ts reads: `env.NAME`, `(env, 'NAME'` and the Fixed Mode prefixes. */
function variablesReadByConfig(): string[] {
  const source = read('src/config.ts');
  const names = new Set<string>();
  for (const match of source.matchAll(/env\.([A-Z][A-Z0-9_]+)|(?<!fixedSlot)\(env, '([A-Z][A-Z0-9_]+)'/g)) names.add(match[1] ?? match[2]);
  const suffixes = [...source.matchAll(/`\$\{prefix\}_([A-Z_]+)`/g)].map((m) => m[1]);
  const prefixes = [...source.matchAll(/fixedSlot\(env, '([A-Z_]+)'\)/g)].map((m) => m[1]);
  for (const prefix of prefixes) for (const suffix of suffixes) names.add(`${prefix}_${suffix}`);
  return [...names].sort();
}

/** NAME=value pairs of .env.example, commented out (`# NAME=`) or not. */
function exampleEntries(): Map<string, { value: string; active: boolean }> {
  const entries = new Map<string, { value: string; active: boolean }>();
  for (const line of read('.env.example').split('\n')) {
    const match = /^(#\s?)?([A-Z][A-Z0-9_]+)=(.*)$/.exec(line);
    if (match) entries.set(match[2], { value: match[3], active: !match[1] });
  }
  return entries;
}

describe('.env.example', () => {
  it('lists every variable src/config.ts reads', () => {
    const read = variablesReadByConfig();
    expect(read.length).toBeGreaterThanOrEqual(28);
    const listed = exampleEntries();
    expect(read.filter((name) => !listed.has(name))).toEqual([]);
    expect([...listed.keys()].filter((name) => !read.includes(name))).toEqual([]);
  });

  it('gives the defaults the code uses, and loads as a valid configuration', () => {
    const active = Object.fromEntries([...exampleEntries()].filter(([, e]) => e.active).map(([name, e]) => [name, e.value]));
    expect(loadConfig(active)).toEqual(loadConfig({}));
  });

  it('ships no real secret', () => {
    const entries = exampleEntries();
    for (const name of ['BYOK_MASTER_KEYS', 'GATEWAY_ADMIN_TOKENS', 'GATEWAY_SERVICE_TOKENS', 'BYOK_MAIN_API_KEY', 'BYOK_FALLBACK_API_KEY']) {
      const entry = entries.get(name)!;
      expect(entry.active, name).toBe(false);
      expect(entry.value === '' || /REPLACE/.test(entry.value), name).toBe(true);
    }
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const instructions = dockerfile
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .filter((line) => line.trim() && !line.trim().startsWith('#'));
  const stages = instructions.filter((line) => /^FROM /i.test(line));
  const finalStage = instructions.slice(instructions.lastIndexOf(stages[stages.length - 1]));

  it('is multi-stage on the current Node LTS slim image', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage).toMatch(/^FROM node:24-slim AS \w+$/);
  });

  it('compiles with tsconfig.build.json and runs dist/server.js with production dependencies only', () => {
    expect(instructions).toContain('RUN npx tsc -p tsconfig.build.json');
    expect(finalStage.some((line) => /npm ci --omit=dev/.test(line)) || instructions.some((line) => /npm ci --omit=dev/.test(line))).toBe(true);
    expect(finalStage.join('\n')).not.toMatch(/COPY --from=build \S* ?\/app\/node_modules/);
    expect(finalStage[finalStage.length - 1]).toBe('CMD ["node", "--max-semi-space-size=8", "--heap-growing-percent=50", "dist/server.js"]');
  });

  it('starts the same way as npm run start:prod', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['start:prod']).toBe((JSON.parse(finalStage[finalStage.length - 1].slice(4)) as string[]).join(' '));
  });

  it('keeps migrations beside dist/ as src/store/db.ts expects (../../migrations from dist/store/db.js)', () => {
    expect(finalStage).toContain('WORKDIR /app');
    expect(finalStage.some((line) => /^COPY .*migrations \.\/migrations$/.test(line))).toBe(true);
    expect(finalStage.some((line) => /^COPY --from=build .*\/app\/dist \.\/dist$/.test(line))).toBe(true);
    expect(read('src/store/db.ts')).toContain("new URL('../../migrations', import.meta.url)");
  });

  it('runs as a non-root user, listens on 0.0.0.0, keeps DATA_DIR on a volume and checks /healthz with node', () => {
    const runtime = finalStage.join('\n');
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/HOST=0\.0\.0\.0/);
    expect(runtime).toMatch(/DATA_DIR=\/data/);
    expect(runtime).toMatch(/^VOLUME \["\/data"\]$/m);
    const healthcheck = finalStage.find((line) => line.startsWith('HEALTHCHECK'));
    expect(healthcheck).toMatch(/CMD \["node", "-e", ".*fetch\(.*\/healthz/);
    expect(healthcheck).not.toMatch(/curl|wget/);
  });

  it('has a .dockerignore that keeps secrets, local data and dependencies out of the context', () => {
    const ignored = read('.dockerignore').split('\n').map((line) => line.trim());
    for (const entry of ['.env', 'node_modules', 'data', 'dist', '.git']) expect(ignored, entry).toContain(entry);
    expect(ignored).not.toContain('src');
    expect(ignored).not.toContain('migrations');
  });
});

describe('compose.yaml', () => {
  const compose = parse(read('compose.yaml')) as {
    services: Record<string, { image?: string; build?: unknown; environment?: Record<string, string>; env_file?: unknown; depends_on?: Record<string, unknown>; healthcheck?: unknown }>;
  };

  it('runs the gateway image with PostgreSQL and Redis, secrets from an env file', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['gateway', 'postgres', 'redis']);
    const gateway = compose.services.gateway;
    expect(gateway.build).toBe('.');
    expect(gateway.environment?.DATABASE_URL).toMatch(/^postgres:\/\/[^@]+@postgres:5432\//);
    expect(gateway.environment?.REDIS_URL).toBe('redis://redis:6379');
    expect(gateway.environment?.HOST).toBe('0.0.0.0');
    expect(JSON.stringify(gateway.env_file)).toContain('.env');
    expect(JSON.stringify(gateway.environment)).not.toMatch(/BYOK_MASTER_KEYS|GATEWAY_(ADMIN|SERVICE)_TOKENS/);
    expect(Object.keys(gateway.depends_on ?? {}).sort()).toEqual(['postgres', 'redis']);
    expect(compose.services.postgres.healthcheck).toBeDefined();
    expect(compose.services.redis.healthcheck).toBeDefined();
  });
});
