// What the call path reports to observers (metrics), as an interface so the gateway
// does not depend on prom-client and tests can count events.
export type CallOutcome = 'success' | 'error' | 'cancelled' | 'truncated' | 'rejected';

export interface CallObservation {
  provider: string;
  model: string;
  slot: 'main' | 'fallback';
  outcome: CallOutcome;
  stream: boolean;
  latencyMs: number;
  ttftMs: number | null;
  /** Total time minus time waiting on the upstream. */
  overheadMs: number;
  upstreamStatus: number | null;
}

export interface GatewayObserver {
  call(observation: CallObservation): void;
  failover(reason: string): void;
  softDisable(provider: string): void;
}

export const NO_OBSERVER: GatewayObserver = {
  call() {},
  failover() {},
  softDisable() {},
};
