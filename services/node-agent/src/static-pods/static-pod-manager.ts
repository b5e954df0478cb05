import { watch, type FSWatcher } from "node:fs";
import { fromApiObject, metaOf, MIRROR_POD_ANNOTATION, objectOf, toApiObject, type JsonObject } from "@capstan/api";
import { isCapstanError } from "@capstan/apimachinery";
import type { CapstanClient, EventRecorder } from "@capstan/client";
import { recordRuntimeEvent } from "../pod-manager.js";
import { podStatusFrom, podStatusHasChanged } from "../pod-status.js";
import type { Runtime } from "../runtime/index.js";
import { isMirrorPod, readStaticPods, type StaticPod } from "./static-pod-source.js";

/** The kubelet's fileCheckFrequency: the directory is read again this often besides being watched. */
export const DEFAULT_STATIC_POD_RESCAN_MS = 20_000;

export interface StaticPodManagerOptions {
  /** CAPSTAN_STATIC_POD_DIR: the manifests this node runs on its own. */
  readonly dir: string;
  readonly nodeName: string;
  /** status.hostIP of the mirrors. */
  readonly hostIP: string;
  readonly rescanMs?: number;
  /** How soon a mirror write that failed (the API unreachable, the Node not registered yet) is tried again. */
  readonly retryMs?: number;
  /** Where the runtime's events about static pods go (involving the static pod, which its mirror's name finds). */
  readonly recorder?: EventRecorder;
  readonly log: (m: string) => void;
}

/**
 * Runs the static pods of a directory through the Runtime, whatever the API says or whether it answers
 * (the runtime restarts their containers by their restartPolicy on its own), and keeps a mirror pod of
 * each in the API as the kubelet's mirror client does: `<name>-<node>`, annotated with the config hash,
 * owned by the Node, its status this node's; a deleted or outdated mirror is made again.
 */
export class StaticPodManager {
  /** The static pods running here, by namespace/name. */
  private readonly pods = new Map<string, StaticPod>();
  /** The last mirror of each seen in the API: the runtime's events involve it, so `describe` of the mirror lists them. */
  private readonly mirrors = new Map<string, JsonObject>();
  /** Mirrors being synced, and those to sync once more after. */
  private readonly syncing = new Set<string>();
  private readonly again = new Set<string>();
  private scanning: Promise<void> = Promise.resolve();
  private watcher: FSWatcher | undefined;
  private rescanTimer: NodeJS.Timeout | undefined;
  private nodeUid: string | undefined;
  private stopped = false;

  constructor(
    private readonly runtime: Runtime,
    private readonly client: CapstanClient,
    private readonly opts: StaticPodManagerOptions,
  ) {
    runtime.onStatusChange((uid) => {
      const key = this.keyOfUid(uid);
      if (key) this.syncMirror(key);
    });
    const recorder = opts.recorder;
    if (recorder) {
      runtime.onEvent((e) => {
        const key = this.keyOfUid(e.podUid);
        const involved = key === undefined ? undefined : (this.mirrors.get(key) ?? this.pods.get(key)?.json);
        if (involved) recordRuntimeEvent(recorder, involved, e);
      });
    }
  }

  /** Starts the directory's pods, then watches it (and reads it again every rescanMs). */
  async start(): Promise<void> {
    await this.rescan();
    try {
      this.watcher = watch(this.opts.dir, () => void this.rescan());
    } catch (e) {
      this.opts.log(`watching static pod directory ${this.opts.dir}: ${errorMessage(e)}; reading it every ${this.rescanMs} ms`);
    }
    this.rescanTimer = setInterval(() => void this.rescan(), this.rescanMs);
  }

  stop(): void {
    this.stopped = true;
    this.watcher?.close();
    clearInterval(this.rescanTimer);
  }

  isStatic(uid: string): boolean {
    return this.keyOfUid(uid) !== undefined;
  }

  /** The static pod a log request names (its mirror's namespace and name), if it runs here. */
  uidFor(namespace: string, name: string): string | undefined {
    return this.pods.get(`${namespace}/${name}`)?.uid;
  }

  /** A mirror pod changed or was deleted in the API: make it match again. */
  mirrorChanged(mirror: JsonObject): void {
    const meta = metaOf(mirror);
    this.syncMirror(`${meta.namespace}/${meta.name}`);
  }

  /** Reads the directory once more; reads never overlap. */
  rescan(): Promise<void> {
    this.scanning = this.scanning.then(() => this.scan()).catch((e: unknown) => this.opts.log(`reading static pods: ${errorMessage(e)}`));
    return this.scanning;
  }

  private get rescanMs(): number {
    return this.opts.rescanMs ?? DEFAULT_STATIC_POD_RESCAN_MS;
  }

  private async scan(): Promise<void> {
    if (this.stopped) return;
    const found = new Map<string, StaticPod>();
    for (const pod of readStaticPods(this.opts.dir, this.opts.nodeName, (file, error) => this.opts.log(`static pod manifest ${file}: ${error}`))) {
      const key = `${pod.namespace}/${pod.name}`;
      const other = found.get(key);
      if (other) this.opts.log(`static pod ${key} in ${pod.file} is already defined in ${other.file}; ignoring it`);
      else found.set(key, pod);
    }
    // A removed or changed pod stops before its successor starts, as the kubelet kills a pod before it runs its update.
    for (const [key, pod] of this.pods) {
      if (found.get(key)?.uid === pod.uid) continue;
      this.pods.delete(key);
      await this.runtime.killPod(pod.uid, pod.pod.spec?.terminationGracePeriodSeconds ?? 30);
      if (!found.has(key)) this.syncMirror(key);
    }
    for (const [key, pod] of found) {
      // Every read also checks each mirror (level-based): one deleted while its event was missed comes back.
      if (!this.pods.has(key)) {
        this.pods.set(key, pod);
        await this.runtime.syncPod(pod.pod);
      }
      this.syncMirror(key);
    }
  }

  private keyOfUid(uid: string): string | undefined {
    for (const [key, pod] of this.pods) if (pod.uid === uid) return key;
    return undefined;
  }

  /** Syncs one mirror at a time per name, once more if asked again meanwhile; a failure is retried after retryMs. */
  private syncMirror(key: string): void {
    if (this.stopped) return;
    if (this.syncing.has(key)) {
      this.again.add(key);
      return;
    }
    this.syncing.add(key);
    void this.syncMirrorNow(key)
      .catch((e: unknown) => {
        this.opts.log(`mirror pod ${key}: ${errorMessage(e)}; retrying`);
        setTimeout(() => this.syncMirror(key), this.opts.retryMs ?? 2_000).unref();
      })
      .finally(() => {
        this.syncing.delete(key);
        if (this.again.delete(key)) this.syncMirror(key);
      });
  }

  /** Makes the API's mirror of `key` match the static pod: absent when there is none, else current, with its status. */
  private async syncMirrorNow(key: string): Promise<void> {
    const [namespace = "", name = ""] = key.split("/");
    const pod = this.pods.get(key);
    let mirror = await this.getPod(namespace, name);
    const isOurs = mirror !== undefined && isMirrorPod(mirror);
    const current = isOurs && pod !== undefined && metaOf(mirror).annotations[MIRROR_POD_ANNOTATION] === pod.uid && metaOf(mirror).deletionTimestamp === undefined;
    if (mirror && isOurs && !current) {
      this.mirrors.delete(key);
      await this.deletePod(namespace, name, metaOf(mirror).uid);
      mirror = undefined;
    }
    if (!pod) return;
    if (mirror && !isOurs) throw new Error(`a pod ${key} that is not a mirror pod exists`);
    mirror ??= await this.createMirror(pod);
    this.mirrors.set(key, mirror);
    const runtimeStatus = this.runtime.status(pod.uid);
    if (!runtimeStatus) return;
    const status = podStatusFrom(mirror, runtimeStatus, this.opts.hostIP, new Date().toISOString());
    if (!podStatusHasChanged(objectOf(mirror["status"]), status)) return;
    const { resourceVersion: _rv, ...metadata } = metaOf(mirror).json;
    await this.client.updateStatus(toApiObject({ ...mirror, metadata, status }));
  }

  private async createMirror(pod: StaticPod): Promise<JsonObject> {
    this.nodeUid ??= metaOf(fromApiObject(await this.client.get({ kind: "Node", namespace: "", name: this.opts.nodeName })).json).uid;
    const { uid: _uid, ...metadata } = metaOf(pod.json).json;
    const { status: _status, ...object } = pod.json;
    const mirror = {
      ...object,
      metadata: {
        ...metadata,
        annotations: { ...metaOf(pod.json).annotations, [MIRROR_POD_ANNOTATION]: pod.uid },
        ownerReferences: [{ apiVersion: "v1", kind: "Node", name: this.opts.nodeName, uid: this.nodeUid, controller: true }],
      },
    };
    return fromApiObject(await this.client.create(toApiObject(mirror))).json;
  }

  private async getPod(namespace: string, name: string): Promise<JsonObject | undefined> {
    try {
      return fromApiObject(await this.client.get({ kind: "Pod", namespace, name })).json;
    } catch (e) {
      if (isCapstanError(e, "NotFound")) return undefined;
      throw e;
    }
  }

  private async deletePod(namespace: string, name: string, uid: string): Promise<void> {
    try {
      await this.client.delete({ kind: "Pod", namespace, name, gracePeriodSeconds: 0, preconditions: { uid } });
    } catch (e) {
      if (!isCapstanError(e, "NotFound") && !isCapstanError(e, "Conflict")) throw e;
    }
  }
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
