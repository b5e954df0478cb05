/** A client's endpoint under sessionAffinity ClientIP, and when it last used it. */
interface StickySession {
  readonly endpoint: string;
  lastUsed: number;
}

interface BalancerState {
  endpoints: string[];
  index: number;
  /** Seconds a session lasts; undefined without affinity. */
  affinityTimeoutSeconds: number | undefined;
  sessions: Map<string, StickySession>;
}

/**
 * Round robin over each service port's endpoints, with ClientIP session affinity (kube-proxy's
 * userspace LoadBalancerRR). Only picks: changing the endpoints affects the next pick, never a
 * connection already made.
 */
export class RoundRobin {
  private readonly services = new Map<string, BalancerState>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Sets a service port's endpoints and affinity; sessions stuck to a removed endpoint end. */
  update(servicePort: string, endpoints: readonly string[], affinityTimeoutSeconds: number | undefined): void {
    let state = this.services.get(servicePort);
    if (!state) {
      state = { endpoints: [], index: 0, affinityTimeoutSeconds, sessions: new Map() };
      this.services.set(servicePort, state);
    }
    if (state.affinityTimeoutSeconds !== affinityTimeoutSeconds) state.sessions.clear();
    state.affinityTimeoutSeconds = affinityTimeoutSeconds;
    const kept = new Set(endpoints);
    for (const [client, session] of state.sessions) if (!kept.has(session.endpoint)) state.sessions.delete(client);
    state.endpoints = [...endpoints];
    state.index = state.endpoints.length > 0 ? state.index % state.endpoints.length : 0;
  }

  delete(servicePort: string): void {
    this.services.delete(servicePort);
  }

  /**
   * The endpoint for a new connection from `clientIP`, or undefined when there is none.
   * `sessionAffinityReset` after a failed connect: pick the next endpoint even for a sticky client.
   */
  next(servicePort: string, clientIP: string, sessionAffinityReset = false): string | undefined {
    const state = this.services.get(servicePort);
    if (!state || state.endpoints.length === 0) return undefined;
    const now = this.now();
    const timeout = state.affinityTimeoutSeconds;
    if (timeout !== undefined && !sessionAffinityReset) {
      const session = state.sessions.get(clientIP);
      if (session && now - session.lastUsed < timeout * 1000) {
        session.lastUsed = now;
        return session.endpoint;
      }
    }
    const endpoint = state.endpoints[state.index]!;
    state.index = (state.index + 1) % state.endpoints.length;
    if (timeout !== undefined) state.sessions.set(clientIP, { endpoint, lastUsed: now });
    return endpoint;
  }

  /** Forgets sessions idle past their timeout, so the table does not grow with every client ever seen. */
  cleanupStaleStickySessions(): void {
    const now = this.now();
    for (const state of this.services.values()) {
      if (state.affinityTimeoutSeconds === undefined) continue;
      for (const [client, session] of state.sessions) {
        if (now - session.lastUsed >= state.affinityTimeoutSeconds * 1000) state.sessions.delete(client);
      }
    }
  }
}
