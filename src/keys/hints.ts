import { createHash } from 'node:crypto';

/**
 * A few leading characters and the last four, enough for an operator to recognise
 * which key is stored without revealing it. Short keys show less.
 */
export function keyHint(key: string): string {
  if (key.length < 8) return '…';
  const leadLength = Math.min(7, Math.floor(key.length / 5));
  const tail = key.length >= 12 ? key.slice(-4) : '';
  return `${key.slice(0, leadLength)}…${tail}`;
}

/** A short, stable identity of a key (32 bits of SHA-256), for status and permit identity. */
export function keyFingerprint(key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 8)}`;
}

/**
 * Trim what copy-paste adds around a key: whitespace, a trailing newline, wrapping
 * quotes or backticks, a leading "Bearer ".
 */
export function cleanPastedKey(raw: string): string {
  let key = raw.trim();
  for (let i = 0; i < 3; i++) {
    const unwrapped = key.replace(/^(["'`])(.*)\1$/s, '$2').trim();
    if (unwrapped === key) break;
    key = unwrapped;
  }
  return key.replace(/^Bearer\s+/i, '').trim();
}
