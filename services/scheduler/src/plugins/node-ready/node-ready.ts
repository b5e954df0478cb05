import type { CycleState } from "../../framework/cycle-state.js";
import type { FilterPlugin } from "../../framework/interface.js";
import type { NodeInfo } from "../../framework/node-info.js";
import type { PodInfo } from "../../framework/pod-info.js";
import { SUCCESS, unresolvable, type Status } from "../../framework/status.js";
import { tolerationsTolerateTaint } from "../taint-toleration/taint-toleration.js";

export const NAME = "NodeReady";
export const ERR_REASON = "node(s) were not ready";
/** One status for every rejection: the filter runs per node and allocates nothing. */
const rejected = unresolvable(ERR_REASON);

const notReadyTaint = { key: "node.kubernetes.io/not-ready", value: "", effect: "NoSchedule" };

/**
 * Not in kube-scheduler: there the kubelet registers a node with the not-ready taint and TaintToleration
 * keeps pods off it. Our node agents register without it, so until the lifecycle controller taints a
 * node, this keeps pods off a node that has not reported Ready (unless they tolerate not-ready).
 */
export class NodeReady implements FilterPlugin {
  readonly name = NAME;

  filter(_state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    if (node.node.ready || tolerationsTolerateTaint(pod.tolerations, notReadyTaint)) return SUCCESS;
    return rejected;
  }
}

export const createNodeReady = (): NodeReady => new NodeReady();
