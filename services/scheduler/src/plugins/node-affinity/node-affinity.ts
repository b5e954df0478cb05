import { StateKey, type CycleState } from "../../framework/cycle-state.js";
import { defaultNormalizeScore, type FilterPlugin, type NodeScore, type PreFilterPlugin, type PreScorePlugin, type ScorePlugin } from "../../framework/interface.js";
import type { NodeInfo } from "../../framework/node-info.js";
import type { NodeSelectorRequirement, NodeSelectorTerm, PodInfo } from "../../framework/pod-info.js";
import { SKIP, SUCCESS, unresolvable, type Status } from "../../framework/status.js";

export const NAME = "NodeAffinity";
export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
/** One status for every rejection: the filter runs per node and allocates nothing. */
const rejected = unresolvable(ERR_REASON_POD);

interface PreferredTerm {
  readonly weight: number;
  readonly term: NodeSelectorTerm;
}

const preferredTerms = new StateKey<readonly PreferredTerm[]>(`PreScore${NAME}`);

/**
 * Filter: the node's labels must match spec.nodeSelector and one of the required node selector terms.
 * Score: the sum of the weights of the preferred terms the node matches, normalized to 0..100.
 */
export class NodeAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NAME;

  preFilter(_state: CycleState, pod: PodInfo): Status {
    const required = pod.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    return Object.keys(pod.nodeSelector).length === 0 && !required ? SKIP : SUCCESS;
  }

  filter(_state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    return podMatchesNodeSelectorAndAffinity(pod, node.name, node.node.labels) ? SUCCESS : rejected;
  }

  preScore(state: CycleState, pod: PodInfo): Status {
    const preferred = pod.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    const terms = preferred.flatMap((p) => (p.weight !== 0 && p.preference ? [{ weight: p.weight, term: p.preference }] : []));
    if (terms.length === 0) return SKIP;
    state.write(preferredTerms, terms);
    return SUCCESS;
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    let sum = 0;
    for (const { weight, term } of state.read(preferredTerms) ?? []) {
      if (termMatches(term, node.name, node.node.labels)) sum += weight;
    }
    return sum;
  }

  normalizeScore(_state: CycleState, _pod: PodInfo, scores: NodeScore[]): void {
    defaultNormalizeScore(scores, false);
  }
}

/** Only the pod's nodeSelector and node affinity matter, so the DaemonSet controller asks with a pod template. */
export function podMatchesNodeSelectorAndAffinity(pod: Pick<PodInfo, "nodeSelector" | "nodeAffinity">, nodeName: string, labels: Readonly<Record<string, string>>): boolean {
  for (const k in pod.nodeSelector) if (labels[k] !== pod.nodeSelector[k]) return false;
  const required = pod.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  // The terms are ORed; no terms at all match nothing.
  return (required.nodeSelectorTerms ?? []).some((t) => termMatches(t, nodeName, labels));
}

/** Expressions and fields are ANDed; an empty term matches no node. */
export function termMatches(term: NodeSelectorTerm, nodeName: string, labels: Readonly<Record<string, string>>): boolean {
  const expressions = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (expressions.length === 0 && fields.length === 0) return false;
  return (
    expressions.every((r) => requirementMatches(r, labels)) &&
    fields.every((r) => r.key === "metadata.name" && requirementMatches(r, { "metadata.name": nodeName }))
  );
}

const integer = /^[+-]?\d+$/;

/** One requirement against a label set, with Kubernetes' operators (In, NotIn, Exists, DoesNotExist, Gt, Lt). */
export function requirementMatches(r: NodeSelectorRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const value = labels[r.key];
  const values = r.values ?? [];
  switch (r.operator) {
    case "In":
      return has && values.includes(value!);
    case "NotIn":
      return !has || !values.includes(value!);
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
    case "Gt":
    case "Lt": {
      if (!has || values.length !== 1 || !integer.test(value!) || !integer.test(values[0]!)) return false;
      const [label, bound] = [BigInt(value!), BigInt(values[0]!)];
      return r.operator === "Gt" ? label > bound : label < bound;
    }
    default:
      return false;
  }
}

export const createNodeAffinity = (): NodeAffinity => new NodeAffinity();
