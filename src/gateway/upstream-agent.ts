// The one undici dispatcher for every upstream call. The network guard runs inside the
// connector, i.e. once per new TCP connection: a request on a kept-alive connection
// pays nothing for it. DNS stays the OS resolver (dns.lookup), only wrapped.
//
// A refused connection fails the request with the guard's BlockedAddressError itself
// (`code === 'UPSTREAM_ADDRESS_BLOCKED'`): undici hands connector errors to the queued
// requests unchanged.
//
// Redirects are never followed: undici's `request`/`stream` do not follow them, and this
// Agent composes no redirect interceptor. (`fetch` follows by default, so callers that use
// it must pass `redirect: 'manual'`; any connection it opens still passes the guard.)
import { Agent, buildConnector } from 'undici';
import { checkConnectHost, createGuardedLookup, type LookupFn, type NetworkPolicy } from './network-guard.js';

export interface UpstreamAgentOptions {
  policy: NetworkPolicy;
  connectTimeoutMs: number;
  /** Idle keep-alive per socket when the upstream gives no hint; undici's default (4 s) when unset. */
  keepAliveTimeoutMs?: number;
  /** Sockets per origin; unlimited when unset. */
  connections?: number;
  /** The resolver to guard; `dns.lookup` when unset (tests inject one). */
  lookup?: LookupFn;
  /** undici's per-request headers/body timeouts (300 s by default); a request's own options win. */
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
}

export interface GuardedConnectorOptions {
  policy: NetworkPolicy;
  connectTimeoutMs: number;
  lookup?: LookupFn;
}

/**
 * undici's own connector with a guarded DNS lookup, behind a check of the host itself:
 * Node's net.connect skips the lookup for IP literals, so they are judged here, in every
 * spelling, before any socket exists.
 */
export function createGuardedConnector(options: GuardedConnectorOptions): buildConnector.connector {
  const connectSocket = buildConnector({
    timeout: options.connectTimeoutMs,
    lookup: createGuardedLookup(options.policy, options.lookup),
  });
  return (connectOptions, callback) => {
    const verdict = checkConnectHost(connectOptions.hostname, options.policy);
    if (!verdict.ok) {
      // Asynchronously, like a failed socket: undici expects the callback after connect returns.
      process.nextTick(callback, verdict.error, null);
      return;
    }
    connectSocket(connectOptions, callback);
  };
}

export function createUpstreamAgent(options: UpstreamAgentOptions): Agent {
  return new Agent({
    connect: createGuardedConnector(options),
    pipelining: 1,
    keepAliveTimeout: options.keepAliveTimeoutMs,
    connections: options.connections ?? null,
    headersTimeout: options.headersTimeoutMs,
    bodyTimeout: options.bodyTimeoutMs,
  });
}
