import { describe, expect, it } from 'vitest';
import { cleanPastedKey, keyFingerprint, keyHint } from './hints.js';
import { generateMasterKey, KeyVault, parseKeyRing, VaultError } from './vault.js';

const ctx = { orgId: 'acme', slot: 'main' };

describe('key vault', () => {
  it('round-trips a credential for the same org and slot', () => {
    const vault = KeyVault.fromSpec(generateMasterKey('k1'));
    const envelope = vault.encrypt('sk-secret-value-1234', ctx);
    expect(envelope.kid).toBe('k1');
    expect(envelope.ciphertext).not.toContain('sk-secret');
    expect(vault.decrypt(envelope, ctx)).toBe('sk-secret-value-1234');
  });

  it('uses a fresh 96-bit nonce for every encryption', () => {
    const vault = KeyVault.fromSpec(generateMasterKey('k1'));
    const a = vault.encrypt('same', ctx);
    const b = vault.encrypt('same', ctx);
    expect(Buffer.from(a.nonce, 'base64')).toHaveLength(12);
    expect(a.nonce).not.toBe(b.nonce);
    expect(a.ciphertext).not.toBe(b.ciphertext);
  });

  it('refuses a ciphertext moved to another org or slot', () => {
    const vault = KeyVault.fromSpec(generateMasterKey('k1'));
    const envelope = vault.encrypt('sk-secret', ctx);
    expect(() => vault.decrypt(envelope, { orgId: 'other', slot: 'main' })).toThrow(VaultError);
    expect(() => vault.decrypt(envelope, { orgId: 'acme', slot: 'fallback' })).toThrow(VaultError);
  });

  it('fails closed when any byte of ciphertext, nonce or tag is changed', () => {
    const vault = KeyVault.fromSpec(generateMasterKey('k1'));
    const envelope = vault.encrypt('sk-secret-abcdef', ctx);
    for (const field of ['ciphertext', 'nonce', 'tag'] as const) {
      const bytes = Buffer.from(envelope[field], 'base64');
      for (let i = 0; i < bytes.length; i++) {
        const tampered = Buffer.from(bytes);
        tampered[i] ^= 0x01;
        expect(() => vault.decrypt({ ...envelope, [field]: tampered.toString('base64') }, ctx)).toThrow(VaultError);
      }
    }
  });

  it('decrypts with an older key of the ring and encrypts with the first', () => {
    const oldKey = generateMasterKey('old');
    const newKey = generateMasterKey('new');
    const before = KeyVault.fromSpec(oldKey).encrypt('sk-rotate-me', ctx);
    const ring = KeyVault.fromSpec(`${newKey},${oldKey}`);
    expect(ring.decrypt(before, ctx)).toBe('sk-rotate-me');
    expect(ring.encrypt('x', ctx).kid).toBe('new');
    expect(() => KeyVault.fromSpec(newKey).decrypt(before, ctx)).toThrow(/"old".*not in BYOK_MASTER_KEYS/);
  });

  it('explains a malformed key ring without echoing the key', () => {
    expect(() => parseKeyRing('k1:c2hvcnQ=')).toThrow(/32 bytes/);
    expect(() => parseKeyRing('nokid')).toThrow(/kid:base64key/);
    try {
      parseKeyRing('k1:c2hvcnQ=');
    } catch (err) {
      expect(String(err)).not.toContain('c2hvcnQ=');
    }
  });
});

describe('key hints', () => {
  it('shows a few leading characters and the last four', () => {
    expect(keyHint('sk-ant-api03-abcdefghijklmnopqrstuvwxyzQ2xA')).toBe('sk-ant-…Q2xA');
    expect(keyHint('short')).toBe('…');
  });

  it('fingerprints keys stably and distinctly', () => {
    expect(keyFingerprint('a')).toMatch(/^sha256:[0-9a-f]{8}$/);
    expect(keyFingerprint('a')).toBe(keyFingerprint('a'));
    expect(keyFingerprint('a')).not.toBe(keyFingerprint('b'));
  });

  it('cleans what copy-paste adds around a key', () => {
    expect(cleanPastedKey('  "sk-abc123"\n')).toBe('sk-abc123');
    expect(cleanPastedKey("'sk-abc123'")).toBe('sk-abc123');
    expect(cleanPastedKey('Bearer sk-abc123 ')).toBe('sk-abc123');
  });
});
