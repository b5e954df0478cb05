/**
 * `capctl cordon|uncordon|drain NODE`, as kubectl's (staging/src/k8s.io/kubectl/pkg/drain): cordon marks
 * the node unschedulable; drain cordons it, then evicts its pods through their disruption budgets,
 * retrying those a budget holds back, and waits for them to go. DaemonSet pods, mirror pods, pods
 * without a controller and pods with emptyDir data are refused, skipped or taken as the flags say.
 */
import { fromApiObject, metaOf, specOf, statusOf, type JsonObject } from "@capstan/api";
import { isCapstanError } from "@capstan/apimachinery";
import type { CapstanClient } from "@capstan/client";
import { modifyObject } from "../modify-object.js";

export type DrainClient = Pick<CapstanClient, "get" | "update" | "list" | "evict" | "delete">;

export interface DrainOptions {
  readonly ignoreDaemonsets: boolean;
  readonly deleteEmptydirData: boolean;
  readonly force: boolean;
  /** Each pod's grace period; undefined: its own. */
  readonly gracePeriodSeconds: number | undefined;
  /** The whole drain's limit in ms; 0: none. */
  readonly timeoutMs: number;
  /** Only the pods this label selector selects. */
  readonly podSelector: string;
  /** Delete rather than evict: no budget is asked. */
  readonly disableEviction: boolean;
}

/** kubectl drain waits this long before it asks again for a pod a budget holds back. */
export const EVICTION_RETRY_MS = 5_000;
const DELETION_POLL_MS = 1_000;
const MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror";

/** Sets or clears the node's spec.unschedulable; prints what kubectl prints. */
export async function cordon(client: Pick<CapstanClient, "get" | "update">, node: string, unschedulable: boolean): Promise<void> {
  const verb = unschedulable ? "cordoned" : "uncordoned";
  const { changed } = await modifyObject(client, { kind: "Node", namespace: "", name: node }, (o) => {
    const spec = ((o["spec"] as JsonObject | undefined) ??= {});
    if (unschedulable) spec["unschedulable"] = true;
    else delete spec["unschedulable"];
  });
  console.log(changed ? `node/${node} ${verb}` : `node/${node} already ${verb}`);
}

/** The node's pods sorted into those to take, those to leave, and why some may not be taken at all. */
export async function podsToDrain(client: Pick<CapstanClient, "get" | "list">, node: string, opts: DrainOptions): Promise<{ take: JsonObject[]; warnings: string[]; errors: string[] }> {
  const listed = await client.list({ kind: "Pod", namespace: "", fieldSelector: `spec.nodeName=${node}`, labelSelector: opts.podSelector });
  const pods = listed.items.map((o) => fromApiObject(o).json);
  const refused = new Map<string, string[]>();
  const warned = new Map<string, string[]>();
  const note = (into: Map<string, string[]>, why: string, pod: JsonObject) => into.set(why, [...(into.get(why) ?? []), `${metaOf(pod).namespace}/${metaOf(pod).name}`]);
  const take: JsonObject[] = [];
  for (const pod of pods) {
    const meta = metaOf(pod);
    if (meta.annotations[MIRROR_POD_ANNOTATION] !== undefined) continue;
    const finished = ["Succeeded", "Failed"].includes(String(statusOf(pod)["phase"] ?? ""));
    const controller = meta.controllerRef;
    if (controller?.kind === "DaemonSet" && (await daemonSetExists(client, meta.namespace, controller.name))) {
      if (opts.ignoreDaemonsets) note(warned, "ignoring DaemonSet-managed Pods", pod);
      else note(refused, "cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore)", pod);
      continue;
    }
    if (!finished && !controller) {
      if (!opts.force) {
        note(refused, "cannot delete Pods that declare no controller (use --force to override)", pod);
        continue;
      }
      note(warned, "deleting Pods that declare no controller", pod);
    }
    const volumes = (specOf(pod)["volumes"] as { emptyDir?: unknown }[] | undefined) ?? [];
    if (!finished && volumes.some((v) => v.emptyDir !== undefined)) {
      if (!opts.deleteEmptydirData) {
        note(refused, "cannot delete Pods with local storage (use --delete-emptydir-data to override)", pod);
        continue;
      }
      note(warned, "deleting Pods with local storage", pod);
    }
    take.push(pod);
  }
  const lines = (m: Map<string, string[]>) => [...m].map(([why, names]) => `${why}: ${names.join(", ")}`);
  return { take, warnings: lines(warned), errors: lines(refused) };
}

async function daemonSetExists(client: Pick<CapstanClient, "get">, namespace: string, name: string): Promise<boolean> {
  try {
    await client.get({ kind: "DaemonSet", namespace, name });
    return true;
  } catch (e) {
    if (isCapstanError(e, "NotFound")) return false;
    throw e;
  }
}

/** kubectl drain: cordon, then evict (or delete) every pod to take, each until it is gone. */
export async function drain(client: DrainClient, node: string, opts: DrainOptions): Promise<void> {
  await cordon(client, node, true);
  const { take, warnings, errors } = await podsToDrain(client, node, opts);
  if (errors.length > 0) throw new Error(`unable to drain node "${node}" due to error: ${errors.join(", ")}`);
  for (const w of warnings) console.error(`Warning: ${w}`);
  const deadline = opts.timeoutMs > 0 ? Date.now() + opts.timeoutMs : Infinity;
  const failures = (await Promise.allSettled(take.map((pod) => takePod(client, pod, opts, deadline)))).flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
  if (failures.length > 0) {
    const why = failures.map((e) => (e instanceof Error ? e.message : String(e))).join(", ");
    throw new Error(`unable to drain node "${node}" due to error: ${why}`);
  }
  console.log(`node/${node} drained`);
}

async function takePod(client: DrainClient, pod: JsonObject, opts: DrainOptions, deadline: number): Promise<void> {
  const { namespace, name, uid } = metaOf(pod);
  const request = { namespace, name, ...(opts.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: opts.gracePeriodSeconds } : {}), preconditions: { uid } };
  if (opts.disableEviction) {
    await client.delete({ kind: "Pod", ...request }).catch(ignoreNotFound);
  } else {
    console.log(`evicting pod ${namespace}/${name}`);
    for (;;) {
      try {
        await client.evict(request);
        break;
      } catch (e) {
        if (isCapstanError(e, "NotFound")) return;
        if (!isCapstanError(e, "TooManyRequests")) throw new Error(`error when evicting pods/"${name}" -n "${namespace}": ${(e as Error).message}`);
        if (Date.now() + EVICTION_RETRY_MS > deadline) throw new Error(`error when evicting pods/"${name}" -n "${namespace}": global timeout reached: ${e.message}`);
        console.error(`error when evicting pods/"${name}" -n "${namespace}" (will retry after 5s): ${e.message}`);
        await new Promise((r) => setTimeout(r, EVICTION_RETRY_MS));
      }
    }
  }
  await waitForDeletion(client, namespace, name, uid, deadline);
  console.log(`pod/${name} ${opts.disableEviction ? "deleted" : "evicted"}`);
}

/** Until the pod of this uid is gone (a namesake made since does not count). */
async function waitForDeletion(client: Pick<CapstanClient, "get">, namespace: string, name: string, uid: string, deadline: number): Promise<void> {
  for (;;) {
    try {
      const current = fromApiObject(await client.get({ kind: "Pod", namespace, name })).json;
      if (metaOf(current).uid !== uid) return;
    } catch (e) {
      if (isCapstanError(e, "NotFound")) return;
      throw e;
    }
    if (Date.now() > deadline) throw new Error(`global timeout reached waiting for pod/${name} to be deleted`);
    await new Promise((r) => setTimeout(r, DELETION_POLL_MS));
  }
}

function ignoreNotFound(e: unknown): void {
  if (!isCapstanError(e, "NotFound")) throw e;
}
