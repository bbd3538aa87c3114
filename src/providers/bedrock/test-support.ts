// Fixture readers for this folder's tests (no test-only imports, so the build stays clean).
import { readFileSync } from 'node:fs';
import { Secret } from '../../keys/secret.js';
import { encodeEventStreamMessage } from '../shared/aws-event-stream.js';

export function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
}

export function jsonFixture<T = unknown>(name: string): T {
  return JSON.parse(fixture(name)) as T;
}

/** A `.events.json` fixture (frames as headers + JSON payload) encoded as the binary stream Bedrock sends. */
export function eventStreamFixture(name: string): Uint8Array {
  const frames = jsonFixture<Array<{ headers: Record<string, string>; payload: unknown }>>(name);
  return Buffer.concat(frames.map((frame) => encodeEventStreamMessage(frame.headers, JSON.stringify(frame.payload))));
}

/** The AWS documentation's example key pair. */
export function exampleSecrets(sessionToken?: string): Record<string, Secret> {
  return {
    accessKeyId: new Secret('AKIDEXAMPLE'),
    secretAccessKey: new Secret('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'),
    ...(sessionToken ? { sessionToken: new Secret(sessionToken) } : {}),
  };
}

export const META = { id: 'chatcmpl-test', created: 1_700_000_000, model: 'anthropic.claude-sonnet-4-20250514-v1:0' };
