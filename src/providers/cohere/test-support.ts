// Fixture readers for this folder's tests (no test-only imports, so the build stays clean).
import { readFileSync } from 'node:fs';

export function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
}

export function jsonFixture<T = unknown>(name: string): T {
  return JSON.parse(fixture(name)) as T;
}

export const META = { id: 'chatcmpl-test', created: 1_700_000_000, model: 'command-a-03-2025' };
