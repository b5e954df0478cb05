import type { CycleState } from "../../framework/cycle-state.js";
import type { FilterPlugin } from "../../framework/interface.js";
import type { NodeInfo } from "../../framework/node-info.js";
import type { PodInfo } from "../../framework/pod-info.js";
import { SUCCESS, unresolvable, type Status } from "../../framework/status.js";

export const NAME = "NodeName";
export const ERR_REASON = "node(s) didn't match the requested node name";
/** One status for every rejection: the filter runs per node and allocates nothing. */
const rejected = unresolvable(ERR_REASON);

/** A pod that names its node (spec.nodeName) fits only there. */
export class NodeName implements FilterPlugin {
  readonly name = NAME;

  filter(_state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    return !pod.nodeName || pod.nodeName === node.name ? SUCCESS : rejected;
  }
}

export const createNodeName = (): NodeName => new NodeName();
