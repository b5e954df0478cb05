import { defaultPullPolicy, type ContainerStateWaiting } from "@capstan/api";
import type { CatalogImage, ImageCatalog } from "./image-catalog.js";
import type { ContainerRecord, PodRecord } from "./pod-record.js";
import type { RestartBackoff } from "./restart-backoff.js";
import type { RuntimeListeners } from "./runtime-listeners.js";
import type { RuntimeEvent, RuntimeEventReason } from "./runtime.js";

/** Why a container has no image to start from: its waiting state (ErrImagePull, ImagePullBackOff, ErrImageNeverPull). */
export interface ImagePullFailure {
  waiting: ContainerStateWaiting;
}

export interface ImagePullerOptions {
  catalog: ImageCatalog;
  /** Per pod and image, as the kubelet's image back-off: 10 s doubling to 300 s. */
  backoff: RestartBackoff;
  /** How soon a failed pull is looked at again: the kubelet's pod worker back-off period, which is also the back-off's base. */
  retryMs: number;
  listeners: RuntimeListeners;
  clock?: () => number;
}

/**
 * The kubelet's image manager (`EnsureImageExists`) over the image catalog, which is this node's whole
 * image store: an image it holds is present, whatever the pull policy; any other has nowhere to be
 * pulled from, so it fails to pull (ErrImagePull), and is tried again only after its back-off
 * (ImagePullBackOff in between); under pullPolicy Never it is ErrImageNeverPull. Each step records the
 * kubelet's event.
 */
export class ImagePuller {
  /** The last failure of each pull in back-off (pod uid and image), for the ImagePullBackOff message. */
  private readonly lastErrors = new Map<string, string>();
  private readonly clock: () => number;

  constructor(private readonly opts: ImagePullerOptions) {
    this.clock = opts.clock ?? Date.now;
  }

  get retryMs(): number {
    return this.opts.retryMs;
  }

  ensureImageExists(rec: PodRecord, c: ContainerRecord): CatalogImage | ImagePullFailure {
    const { image: ref, name } = c.spec;
    const emit = (type: RuntimeEvent["type"], reason: RuntimeEventReason, message: string) =>
      this.opts.listeners.emit(rec.uid, type, reason, message, name);
    const found = this.opts.catalog.find(ref);
    if (found) {
      emit("Normal", "Pulled", `Container image "${ref}" already present on machine`);
      return found;
    }
    if ((c.spec.imagePullPolicy || defaultPullPolicy(ref)) === "Never") {
      const message = `Container image "${ref}" is not present with pull policy of Never`;
      emit("Warning", "ErrImageNeverPull", message);
      return { waiting: { reason: "ErrImageNeverPull", message } };
    }
    const key = `${rec.uid}_${ref}`;
    const nowMs = this.clock();
    if (this.opts.backoff.isInBackOffSinceUpdate(key, nowMs)) {
      const message = `Back-off pulling image "${ref}"`;
      emit("Normal", "BackOff", message);
      return { waiting: { reason: "ImagePullBackOff", message: `${message}: ErrImagePull: ${this.lastErrors.get(key) ?? ""}` } };
    }
    emit("Normal", "Pulling", `Pulling image "${ref}"`);
    const why =
      `image "${ref}" is not in the process runtime's image catalog, and it pulls from no registry ` +
      `(the catalog holds ${this.opts.catalog.names().join(", ")})`;
    emit("Warning", "Failed", `Failed to pull image "${ref}": ${why}`);
    this.opts.backoff.next(key, nowMs);
    this.lastErrors.set(key, why);
    return { waiting: { reason: "ErrImagePull", message: why } };
  }

  /** Forgets the back-off of a pod that is gone. */
  forget(podUid: string): void {
    for (const key of this.lastErrors.keys()) {
      if (!key.startsWith(`${podUid}_`)) continue;
      this.lastErrors.delete(key);
      this.opts.backoff.forget(key);
    }
  }
}
