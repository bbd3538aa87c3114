// Fixture loading and a fixed ResponseMeta for this folder's tests.
import { readFileSync } from 'node:fs';
import type { ResponseMeta } from '../types.js';

export function fixtureText(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
}

export function fixtureJson(name: string): unknown {
  return JSON.parse(fixtureText(name));
}

export const META: ResponseMeta = { id: 'chatcmpl-test123', created: 1_764_000_000, model: 'claude-sonnet-4-6' };
