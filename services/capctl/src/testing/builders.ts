/**
 * The Deployment "web" and its ReplicaSets as the command tests use them, built with the shared
 * builders: two containers (web and log), the ReplicaSets carrying the hash label as the controller adds it.
 */
import { aDeployment, aReplicaSet } from "@capstan/api/testing";
import type { Json } from "../printers.js";

/** The uid the Deployment "web" has: the shared builders', and the one a FakeGateway gives it. */
export const DEPLOYMENT_UID = "uid-web";

/** The template of Deployment "web" at `image`. */
export function aTemplate(image: string, extraLabels: Record<string, string> = {}): Json {
  return {
    metadata: { labels: { app: "web", ...extraLabels } },
    spec: { containers: [{ name: "web", image }, { name: "log", image: "busybox" }] },
  };
}

/** Deployment "web": replicas, template, and the status fields rollout status reads. */
export function aWebDeployment(opts: { replicas?: number; image?: string; generation?: number; paused?: boolean; status?: Json; annotations?: Record<string, string> } = {}): Json {
  const d = aDeployment("web")
    .withContainer("web", opts.image ?? "nginx:1.27")
    .withContainer("log", "busybox")
    .withReplicas(opts.replicas ?? 3)
    .atGeneration(opts.generation ?? 1);
  if (opts.paused) d.paused();
  if (opts.status) d.withStatus(opts.status);
  if (opts.annotations) d.annotated(opts.annotations);
  return d.json();
}

/** A ReplicaSet of Deployment "web" at a revision (named web-h<revision>), scaled to zero. */
export function aWebReplicaSet(revision: number, image: string, opts: { owner?: string; annotations?: Record<string, string> } = {}): Json {
  const labels = { app: "web", "pod-template-hash": `h${revision}` };
  return aReplicaSet(`web-h${revision}`)
    .labelled(labels)
    .selecting(labels)
    .atRevision(revision)
    .annotated(opts.annotations ?? {})
    .ownedBy({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", uid: opts.owner ?? DEPLOYMENT_UID } })
    .withReplicas(0)
    .withContainer("web", image)
    .withContainer("log", "busybox")
    .json();
}
