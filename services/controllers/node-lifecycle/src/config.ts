/** The node lifecycle controller's settings, from the environment. */
export interface NodeLifecycleConfig {
  /** How long a node may go without a heartbeat before its conditions turn Unknown (kube-controller-manager's --node-monitor-grace-period). */
  readonly gracePeriodMs: number;
  /** How often every node's health is looked at, whether it changed or not (--node-monitor-period). */
  readonly monitorPeriodMs: number;
}

function seconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback * 1000;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}: Invalid value "${raw}": must be a positive number of seconds`);
  return n * 1000;
}

/** CAPSTAN_NODE_MONITOR_GRACE_SECONDS (default 40) and CAPSTAN_NODE_MONITOR_PERIOD_SECONDS (default 5). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): NodeLifecycleConfig {
  return {
    gracePeriodMs: seconds(env, "CAPSTAN_NODE_MONITOR_GRACE_SECONDS", 40),
    monitorPeriodMs: seconds(env, "CAPSTAN_NODE_MONITOR_PERIOD_SECONDS", 5),
  };
}
