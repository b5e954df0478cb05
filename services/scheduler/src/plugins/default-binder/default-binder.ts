import type { CycleState } from "../../framework/cycle-state.js";
import type { BindPlugin } from "../../framework/interface.js";
import type { PodInfo } from "../../framework/pod-info.js";
import { SUCCESS, type Status } from "../../framework/status.js";

export const NAME = "DefaultBinder";

/** Writes the binding through the API; how (gateway client, test fake) is the caller's. */
export type BindFn = (pod: PodInfo, nodeName: string) => Promise<void>;

/** Binds through the API. A failure is thrown, so the caller can tell a conflict from an outage. */
export class DefaultBinder implements BindPlugin {
  readonly name = NAME;

  constructor(private readonly bindPod: BindFn) {}

  async bind(_state: CycleState, pod: PodInfo, nodeName: string): Promise<Status> {
    await this.bindPod(pod, nodeName);
    return SUCCESS;
  }
}

export const createDefaultBinder = (bindPod: BindFn): DefaultBinder => new DefaultBinder(bindPod);
