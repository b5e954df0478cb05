import type { PodLayout } from "./pod-layout.js";
import type { PodIPAllocator } from "./pod-network.js";
import { bootId, groupExitTimeoutMs, isRecordedGroupAlive, listProcesses, signalGroup, waitForGroupExit } from "./process-group.js";
import type { RuntimeLogger } from "./runtime.js";

/**
 * What a previous life of the agent left on this host. It may have left containers running: every
 * recorded process group that is still alive is killed. The pods' folders and IPs stay reserved; the
 * agent re-syncs the pods it should run and kills the rest.
 */
export class Recovery {
  /** Pods found in the state dir or holding an IP, until the agent syncs or kills them. */
  readonly pods = new Set<string>();
  /** Resolves when the leftover processes are gone. */
  readonly done: Promise<void>;

  constructor(layout: PodLayout, allocator: PodIPAllocator, logger: RuntimeLogger) {
    this.done = this.killLeftovers(layout, allocator, logger);
  }

  private async killLeftovers(layout: PodLayout, allocator: PodIPAllocator, logger: RuntimeLogger): Promise<void> {
    const uids = layout.podUids();
    const leftovers: number[] = [];
    let processes: ReturnType<typeof listProcesses> | undefined;
    const currentBoot = bootId();
    for (const uid of uids) {
      this.pods.add(uid);
      for (const container of layout.containerNames(uid)) {
        const record = layout.readProcessGroup(uid, container);
        if (record === undefined) continue;
        processes ??= listProcesses();
        if (isRecordedGroupAlive(record, processes, currentBoot)) {
          logger.warn("killing a container left running by a previous agent", { podUid: uid, container, pgid: record.pgid });
          signalGroup(record.pgid, "SIGKILL");
          leftovers.push(record.pgid);
        }
        layout.forgetProcessGroup(uid, container);
      }
    }
    for (const uid of allocator.allocatedPods()) this.pods.add(uid);
    await Promise.all(leftovers.map((pgid) => waitForGroupExit(pgid, groupExitTimeoutMs)));
  }
}
