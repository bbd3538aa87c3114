// AES-256-GCM envelope for stored credentials. A random 96-bit nonce per encryption;
// the org id and slot are bound as additional authenticated data, so a ciphertext
// copied to another org or slot fails to decrypt; the key id travels with the
// ciphertext so a key ring can hold old and new master keys during a rotation.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface Envelope {
  kid: string;
  nonce: string;
  ciphertext: string;
  tag: string;
}

export class VaultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VaultError';
  }
}

export interface MasterKey {
  kid: string;
  key: Buffer;
}

const KID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** `kid:base64key` comma-separated; the first one encrypts, all of them decrypt. */
export function parseKeyRing(spec: string): MasterKey[] {
  const keys = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const sep = entry.indexOf(':');
      if (sep <= 0) throw new VaultError('BYOK_MASTER_KEYS entries must look like kid:base64key (e.g. k1:<44 base64 chars>)');
      const kid = entry.slice(0, sep);
      if (!KID_PATTERN.test(kid)) throw new VaultError(`BYOK_MASTER_KEYS: key id "${kid}" may only use letters, digits, . _ -`);
      const key = Buffer.from(entry.slice(sep + 1), 'base64');
      if (key.length !== 32) {
        throw new VaultError(`BYOK_MASTER_KEYS: key "${kid}" must be 32 bytes of base64 (generate one with: openssl rand -base64 32)`);
      }
      return { kid, key };
    });
  if (keys.length === 0) throw new VaultError('BYOK_MASTER_KEYS is empty');
  const kids = new Set(keys.map((k) => k.kid));
  if (kids.size !== keys.length) throw new VaultError('BYOK_MASTER_KEYS lists the same key id twice');
  return keys;
}

export function generateMasterKey(kid = `k${Date.now().toString(36)}`): string {
  return `${kid}:${randomBytes(32).toString('base64')}`;
}

export interface AadContext {
  orgId: string;
  slot: string;
}

function aadFor(context: AadContext): Buffer {
  return Buffer.from(`byok:v1:${context.orgId}:${context.slot}`, 'utf8');
}

export class KeyVault {
  readonly #keys: Map<string, Buffer>;
  readonly primaryKid: string;

  constructor(ring: MasterKey[]) {
    if (ring.length === 0) throw new VaultError('the key ring is empty');
    this.#keys = new Map(ring.map((k) => [k.kid, k.key]));
    this.primaryKid = ring[0].kid;
  }

  static fromSpec(spec: string): KeyVault {
    return new KeyVault(parseKeyRing(spec));
  }

  kids(): string[] {
    return [...this.#keys.keys()];
  }

  encrypt(plaintext: string, context: AadContext): Envelope {
    const key = this.#keys.get(this.primaryKid)!;
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(aadFor(context));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return {
      kid: this.primaryKid,
      nonce: nonce.toString('base64'),
      ciphertext: ciphertext.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
    };
  }

  /** Throws VaultError (never with key material in the message) when the envelope does not authenticate. */
  decrypt(envelope: Envelope, context: AadContext): string {
    const key = this.#keys.get(envelope.kid);
    if (!key) {
      throw new VaultError(`the master key "${envelope.kid}" that encrypted this credential is not in BYOK_MASTER_KEYS`);
    }
    try {
      const nonce = Buffer.from(envelope.nonce, 'base64');
      const tag = Buffer.from(envelope.tag, 'base64');
      if (nonce.length !== 12 || tag.length !== 16) throw new Error('bad envelope');
      const decipher = createDecipheriv('aes-256-gcm', key, nonce);
      decipher.setAAD(aadFor(context));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(envelope.ciphertext, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new VaultError('the stored credential does not authenticate (tampered, or moved from another org or slot)');
    }
  }
}
