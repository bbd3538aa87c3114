import { hash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { ApiError } from '../errors.js';

export type TokenKind = 'admin' | 'service';

interface StoredToken {
  digest: Buffer;
  kind: TokenKind;
  /** What the audit trail records: the kind and a short hash, never the token. */
  id: string;
}

function digest(token: string): Buffer {
  return hash('sha256', token, 'buffer') as unknown as Buffer;
}

export function tokenId(kind: TokenKind, token: string): string {
  return `${kind}:${digest(token).toString('hex').slice(0, 8)}`;
}

declare module 'fastify' {
  interface FastifyRequest {
    actor: string | null;
  }
}

/**
 * Bearer-token check. Tokens are compared as SHA-256 digests with timingSafeEqual,
 * against every configured token (no early exit), so timing reveals neither a
 * token's bytes nor which one matched.
 */
export class TokenAuthenticator {
  readonly #tokens: StoredToken[];
  /**
   * The Authorization header a keep-alive connection last proved, and its token. A
   * request that repeats it byte for byte on the same socket skips the hashing. The
   * comparison runs in constant time: behind a proxy that pools its connections to the
   * gateway, one socket carries several clients' requests.
   */
  readonly #proven = new WeakMap<object, { header: string; match: StoredToken }>();

  constructor(tokens: { admin: string[]; service: string[] }) {
    this.#tokens = [
      ...tokens.admin.map((t) => ({ digest: digest(t), kind: 'admin' as const, id: tokenId('admin', t) })),
      ...tokens.service.map((t) => ({ digest: digest(t), kind: 'service' as const, id: tokenId('service', t) })),
    ];
  }

  identify(token: string): StoredToken | null {
    const presented = digest(token);
    let match: StoredToken | null = null;
    for (const candidate of this.#tokens) {
      if (timingSafeEqual(candidate.digest, presented) && match === null) match = candidate;
    }
    return match;
  }

  /** A preHandler hook that admits only tokens of `kind` (callback style: no promise per request). */
  require(kind: TokenKind) {
    return (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void => {
      const header = request.headers.authorization;
      const socket = request.raw.socket;
      const proven = socket ? this.#proven.get(socket) : undefined;
      if (proven !== undefined && typeof header === 'string' && sameString(proven.header, header)) return this.#admit(request, proven.match, kind, done);
      const token = typeof header === 'string' ? bearerToken(header) : '';
      if (!token) {
        return done(new ApiError(401, 'unauthorized', 'Send a token as "Authorization: Bearer <token>".', { param: 'Authorization' }));
      }
      const match = this.identify(token);
      if (!match) return done(new ApiError(401, 'unauthorized', 'The bearer token is not recognised.', { param: 'Authorization' }));
      if (socket) this.#proven.set(socket, { header: header as string, match });
      this.#admit(request, match, kind, done);
    };
  }

  #admit(request: FastifyRequest, match: StoredToken, kind: TokenKind, done: HookHandlerDoneFunction): void {
    if (match.kind !== kind) {
      const needed = kind === 'admin' ? 'an admin token (GATEWAY_ADMIN_TOKENS)' : 'a service token (GATEWAY_SERVICE_TOKENS)';
      return done(new ApiError(403, 'forbidden', `This route needs ${needed}.`, { param: 'Authorization' }));
    }
    request.actor = match.id;
    done();
  }
}

const BEARER = /^Bearer\s+/i;

/** Equal strings, compared in time that depends on their length only. */
function sameString(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

function bearerToken(header: string): string {
  const prefix = BEARER.exec(header);
  return prefix ? header.slice(prefix[0].length).trim() : '';
}
