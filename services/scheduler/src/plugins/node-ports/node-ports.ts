import type { CycleState } from "../../framework/cycle-state.js";
import type { FilterPlugin } from "../../framework/interface.js";
import type { NodeInfo } from "../../framework/node-info.js";
import type { HostPort, PodInfo } from "../../framework/pod-info.js";
import { SUCCESS, unschedulable, type Status } from "../../framework/status.js";

export const NAME = "NodePorts";
export const ERR_REASON = "node(s) didn't have free ports for the requested pod ports";

/** The pod's hostPorts must be free on the node: same protocol and port on an overlapping host IP. */
export class NodePorts implements FilterPlugin {
  readonly name = NAME;

  filter(_state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    return fitsPorts(pod.hostPorts, node.usedPorts) ? SUCCESS : unschedulable(ERR_REASON);
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
