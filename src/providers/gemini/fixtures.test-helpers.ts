// Reads this folder's fixtures for the tests beside the code.
import { readFileSync } from 'node:fs';

const dir = new URL('./fixtures/', import.meta.url);

export function fixtureText(name: string): string {
  return readFileSync(new URL(name, dir), 'utf8');
}

export function fixtureJson(name: string): unknown {
  return JSON.parse(fixtureText(name));
}

export function fixtureBytes(name: string): Uint8Array {
  return new TextEncoder().encode(fixtureText(name));
}
