import type { CycleState } from "../../framework/cycle-state.js";
import type { FilterPlugin } from "../../framework/interface.js";
import type { NodeInfo } from "../../framework/node-info.js";
import type { HostPort, PodInfo } from "../../framework/pod-info.js";
import { SUCCESS, unschedulable, type Status } from "../../framework/status.js";

export const NAME = "NodePorts";
export const ERR_REASON = "node(s) didn't have free ports for the requested pod ports";
/** One status for every rejection: the filter runs per node and allocates nothing. */
const rejected = unschedulable(ERR_REASON);

/** The pod's hostPorts must be free on the node: same protocol and port on an overlapping host IP. */
export class NodePorts implements FilterPlugin {
  readonly name = NAME;

  filter(_state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    if (pod.hostPorts.length === 0) return SUCCESS;
    return fitsPorts(pod.hostPorts, node.usedPorts) ? SUCCESS : rejected;
  }
}

/** 0.0.0.0 means every address, so it conflicts with any IP on the same protocol and port. */
export function portsConflict(a: HostPort, b: HostPort): boolean {
  if (a.port !== b.port || a.protocol !== b.protocol) return false;
  return a.hostIP === b.hostIP || a.hostIP === "0.0.0.0" || b.hostIP === "0.0.0.0";
}

export function fitsPorts(wanted: readonly HostPort[], used: readonly HostPort[]): boolean {
  return wanted.every((w) => !used.some((u) => portsConflict(w, u)));
}

export const createNodePorts = (): NodePorts => new NodePorts();
