/**
 * Which nodes can take a pod, and which is best: the first scheduler's rules as pure functions over
 * small views (the full plugin framework replaces this file).
 */
export interface Resources {
  milliCpu: number;
  memoryBytes: number;
  pods: number;
}

export interface Taint {
  readonly key: string;
  readonly value?: string;
  readonly effect: string;
}

export interface Toleration {
  readonly key?: string;
  readonly operator?: string;
  readonly value?: string;
  readonly effect?: string;
}

export interface NodeView {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ready: boolean;
  readonly unschedulable: boolean;
  readonly taints: readonly Taint[];
  readonly allocatable: Resources;
  /** What the pods bound or assumed on it request. */
  readonly requested: Resources;
}

export interface PodView {
  readonly requests: Omit<Resources, "pods">;
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly Toleration[];
}

export function tolerates(tolerations: readonly Toleration[], taint: Taint): boolean {
  return tolerations.some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (!t.key) return t.operator === "Exists";
    if (t.key !== taint.key) return false;
    return t.operator === "Exists" || (t.value ?? "") === (taint.value ?? "");
  });
}

/** Why the node cannot take the pod, in kube-scheduler's words; undefined when it can. */
export function unfitReason(pod: PodView, node: NodeView): string | undefined {
  if (!node.ready) return "node(s) were not ready";
  if (node.unschedulable) return "node(s) were unschedulable";
  for (const [k, v] of Object.entries(pod.nodeSelector)) {
    if (node.labels[k] !== v) return "node(s) didn't match Pod's node affinity/selector";
  }
  const untolerated = node.taints.find(
    (t) => (t.effect === "NoSchedule" || t.effect === "NoExecute") && !tolerates(pod.tolerations, t),
  );
  if (untolerated) return `node(s) had untolerated taint {${untolerated.key}: ${untolerated.value ?? ""}}`;
  if (node.requested.pods + 1 > node.allocatable.pods) return "Too many pods";
  if (node.requested.milliCpu + pod.requests.milliCpu > node.allocatable.milliCpu) return "Insufficient cpu";
  if (node.requested.memoryBytes + pod.requests.memoryBytes > node.allocatable.memoryBytes) return "Insufficient memory";
  return undefined;
}

/** LeastAllocated: the share of cpu and memory left after placing the pod, averaged. */
function score(pod: PodView, node: NodeView): number {
  const free = (used: number, asked: number, total: number) => (total <= 0 ? 0 : (total - used - asked) / total);
  return (
    (free(node.requested.milliCpu, pod.requests.milliCpu, node.allocatable.milliCpu) +
      free(node.requested.memoryBytes, pod.requests.memoryBytes, node.allocatable.memoryBytes)) /
    2
  );
}

export type Placement = { readonly node: string } | { readonly message: string };

export function placePod(pod: PodView, nodes: Iterable<NodeView>): Placement {
  let best: NodeView | undefined;
  let bestScore = -Infinity;
  let total = 0;
  const reasons = new Map<string, number>();
  for (const node of nodes) {
    total++;
    const reason = unfitReason(pod, node);
    if (reason) {
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      continue;
    }
    const s = score(pod, node);
    if (s > bestScore || (s === bestScore && best && node.requested.pods < best.requested.pods)) {
      best = node;
      bestScore = s;
    }
  }
  if (best) return { node: best.name };
  return { message: failedSchedulingMessage(total, reasons) };
}

export function failedSchedulingMessage(total: number, reasons: ReadonlyMap<string, number>): string {
  const parts = [...reasons.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([reason, count]) => `${count} ${reason}`);
  return `0/${total} nodes are available${parts.length ? `: ${parts.join(", ")}` : ""}.`;
}
