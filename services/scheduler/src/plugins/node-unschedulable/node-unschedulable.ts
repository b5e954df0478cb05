import type { CycleState } from "../../framework/cycle-state.js";
import type { FilterPlugin } from "../../framework/interface.js";
import type { NodeInfo } from "../../framework/node-info.js";
import type { PodInfo } from "../../framework/pod-info.js";
import { SUCCESS, unresolvable, type Status } from "../../framework/status.js";
import { tolerationsTolerateTaint } from "../taint-toleration/taint-toleration.js";

export const NAME = "NodeUnschedulable";
export const ERR_REASON_UNSCHEDULABLE = "node(s) were unschedulable";
/** One status for every rejection: the filter runs per node and allocates nothing. */
const rejected = unresolvable(ERR_REASON_UNSCHEDULABLE);

const unschedulableTaint = { key: "node.kubernetes.io/unschedulable", value: "", effect: "NoSchedule" };

/** A cordoned node (spec.unschedulable) takes only pods that tolerate node.kubernetes.io/unschedulable. */
export class NodeUnschedulable implements FilterPlugin {
  readonly name = NAME;

  filter(_state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    if (!node.node.unschedulable || tolerationsTolerateTaint(pod.tolerations, unschedulableTaint)) return SUCCESS;
    return rejected;
  }
}

export const createNodeUnschedulable = (): NodeUnschedulable => new NodeUnschedulable();
