import { kindInfo, childObject } from "@capstan/api";
import { modifyObject, type ModifyClient } from "../modify-object.js";
import { qualifiedResource, type Json } from "../printers.js";
import { parseResourceArgs } from "../resource-args.js";

export interface ScaleOptions {
  readonly namespace: string;
  readonly replicas: number;
  /** Precondition: scale only if spec.replicas is this now (kubectl --current-replicas). */
  readonly currentReplicas?: number;
}

const SCALABLE = new Set(["Deployment", "ReplicaSet", "ReplicationController", "StatefulSet"]);

/**
 * Sets spec.replicas on a scalable object, refusing as kubectl does when --current-replicas does not
 * match what is stored.
 */
export function scaleSpec(object: Json, replicas: number, currentReplicas?: number): void {
  const spec = childObject(object, "spec");
  const current = typeof spec["replicas"] === "number" ? spec["replicas"] : 0;
  if (currentReplicas !== undefined && currentReplicas >= 0 && currentReplicas !== current) {
    throw new Error(`Expected replicas to be ${currentReplicas}, was ${current}`);
  }
  spec["replicas"] = replicas;
}

export async function scale(client: ModifyClient, args: string[], opts: ScaleOptions): Promise<void> {
  if (!Number.isInteger(opts.replicas) || opts.replicas < 0) {
    throw new Error("The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0");
  }
  const { refs, kindOnly } = parseResourceArgs(args);
  if (kindOnly) throw new Error(`resource(s) were provided, but no name was specified`);
  for (const ref of refs) {
    if (!SCALABLE.has(ref.kind)) throw new Error(`${kindInfo(ref.kind).plural} cannot be scaled: only deployments, replicasets and replicationcontrollers can`);
  }
  for (const ref of refs) {
    await modifyObject(client, { kind: ref.kind, namespace: opts.namespace, name: ref.name }, (o) => scaleSpec(o, opts.replicas, opts.currentReplicas));
    console.log(`${qualifiedResource(ref.kind)}/${ref.name} scaled`);
  }
}
