import type { Json } from "../printers.js";

export const DEPLOYMENT_UID = "d-uid-1";

export function aTemplate(image: string, extraLabels: Record<string, string> = {}): Json {
  return {
    metadata: { labels: { app: "web", ...extraLabels } },
    spec: { containers: [{ name: "web", image }, { name: "log", image: "busybox" }] },
  };
}

/** A Deployment "web" as stored: replicas, template, and the status fields rollout status reads. */
export function aDeployment(opts: { replicas?: number; image?: string; generation?: number; paused?: boolean; status?: Json; annotations?: Record<string, string> } = {}): Json {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "web",
      namespace: "default",
      uid: DEPLOYMENT_UID,
      generation: opts.generation ?? 1,
      ...(opts.annotations ? { annotations: opts.annotations } : {}),
    },
    spec: {
      replicas: opts.replicas ?? 3,
      selector: { matchLabels: { app: "web" } },
      template: aTemplate(opts.image ?? "nginx:1.27"),
      ...(opts.paused ? { paused: true } : {}),
    },
    ...(opts.status ? { status: opts.status } : {}),
  };
}

/** A ReplicaSet of Deployment "web" at a revision, its template carrying the hash label as the controller adds it. */
export function aReplicaSet(revision: number, image: string, opts: { owner?: string; annotations?: Record<string, string> } = {}): Json {
  const hash = `h${revision}`;
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name: `web-${hash}`,
      namespace: "default",
      labels: { app: "web", "pod-template-hash": hash },
      annotations: { "deployment.kubernetes.io/revision": String(revision), ...opts.annotations },
      ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: opts.owner ?? DEPLOYMENT_UID, controller: true }],
    },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: "web", "pod-template-hash": hash } },
      template: aTemplate(image, { "pod-template-hash": hash }),
    },
  };
}
