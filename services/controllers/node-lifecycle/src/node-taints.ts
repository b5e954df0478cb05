import { TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE, type Node, type Taint } from "@capstan/api";

export const TAINT_NODE_UNSCHEDULABLE = "node.kubernetes.io/unschedulable";

interface ConditionTaint {
  readonly type: string;
  readonly status: string;
  readonly key: string;
}

/** Kubernetes' TaintNodesByCondition: a condition in this state keeps new pods off the node. */
const NO_SCHEDULE_BY_CONDITION: readonly ConditionTaint[] = [
  { type: "Ready", status: "False", key: TAINT_NODE_NOT_READY },
  { type: "Ready", status: "Unknown", key: TAINT_NODE_UNREACHABLE },
  { type: "MemoryPressure", status: "True", key: "node.kubernetes.io/memory-pressure" },
  { type: "DiskPressure", status: "True", key: "node.kubernetes.io/disk-pressure" },
  { type: "PIDPressure", status: "True", key: "node.kubernetes.io/pid-pressure" },
  { type: "NetworkUnavailable", status: "True", key: "node.kubernetes.io/network-unavailable" },
];

/** A not-ready or unreachable node also has its pods evicted, once they stop tolerating it. */
const NO_EXECUTE_BY_CONDITION: readonly ConditionTaint[] = [
  { type: "Ready", status: "False", key: TAINT_NODE_NOT_READY },
  { type: "Ready", status: "Unknown", key: TAINT_NODE_UNREACHABLE },
];

type TaintId = Pick<Taint, "key" | "effect">;

/** Every taint this controller owns: it adds and removes these, and no others. */
const MANAGED: readonly TaintId[] = [
  ...NO_SCHEDULE_BY_CONDITION.map(({ key }) => ({ key, effect: "NoSchedule" })),
  ...NO_EXECUTE_BY_CONDITION.map(({ key }) => ({ key, effect: "NoExecute" })),
  { key: TAINT_NODE_UNSCHEDULABLE, effect: "NoSchedule" },
];

/** A taint is known by its key and effect. */
const sameTaint = (a: TaintId, b: TaintId) => a.key === b.key && a.effect === b.effect;

/** The managed taints the node's conditions and spec call for. */
export function conditionTaints(node: Node): TaintId[] {
  const conditions = node.status?.conditions ?? [];
  const holds = (ct: ConditionTaint) => conditions.some((c) => c.type === ct.type && c.status === ct.status);
  return [
    ...NO_SCHEDULE_BY_CONDITION.filter(holds).map(({ key }) => ({ key, effect: "NoSchedule" })),
    ...NO_EXECUTE_BY_CONDITION.filter(holds).map(({ key }) => ({ key, effect: "NoExecute" })),
    ...(node.spec?.unschedulable ? [{ key: TAINT_NODE_UNSCHEDULABLE, effect: "NoSchedule" }] : []),
  ];
}

/**
 * The node's taints with the managed ones in step with its conditions: others are kept as they are,
 * a managed taint that stays keeps its timeAdded, and a NoExecute taint added is stamped with `now`
 * (its pods' tolerationSeconds count from then). Undefined when nothing changes.
 */
export function reconcileTaints(node: Node, now: Date): Taint[] | undefined {
  const current = node.spec?.taints ?? [];
  const wanted = conditionTaints(node);
  const kept = current.filter((t) => !MANAGED.some((m) => sameTaint(m, t)) || wanted.some((w) => sameTaint(w, t)));
  const added = wanted
    .filter((w) => !current.some((t) => sameTaint(t, w)))
    .map((w) => ({ ...w, value: "", timeAdded: w.effect === "NoExecute" ? now.toISOString() : "" }));
  if (added.length === 0 && kept.length === current.length) return undefined;
  return [...kept, ...added];
}
