import type { EventStore, JsonObject } from "@capstan/eventstore";
import type { ClusterCensus } from "@capstan/telemetry";

/**
 * Objects by kind, pods by phase and nodes by Ready, from the projections, for the cluster gauges. Pods
 * and nodes are listed whole at each scrape: fine at the scale of a scrape every 15 s over thousands of
 * pods; an aggregate query would be the next step for far more.
 */
export async function clusterCensus(store: EventStore): Promise<ClusterCensus> {
  const [objectsByKind, pods, nodes] = await Promise.all([store.countObjects(), store.list({ kind: "Pod" }), store.list({ kind: "Node" })]);
  return {
    objectsByKind,
    podsByPhase: countBy(pods.items.map((p) => podPhase(p.object))),
    nodesByReady: countBy(nodes.items.map((n) => nodeReady(n.object))),
  };
}

function countBy(values: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

function podPhase(pod: JsonObject): string {
  const phase = (pod["status"] as { phase?: unknown } | undefined)?.phase;
  return typeof phase === "string" && phase ? phase : "Pending";
}

/** The Ready condition's status; "Unknown" for a node that has none yet. */
function nodeReady(node: JsonObject): string {
  const conditions = (node["status"] as { conditions?: { type?: unknown; status?: unknown }[] } | undefined)?.conditions ?? [];
  const ready = conditions.find((c) => c.type === "Ready")?.status;
  return typeof ready === "string" ? ready : "Unknown";
}
