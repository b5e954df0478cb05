import { writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A kubeconfig for stock kubectl: one cluster at the gateway's Kubernetes API, one context, and an
 * anonymous user (the API authenticates no one yet).
 */
export function kubeconfig(server: string, name = "capstan"): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    `- name: ${name}`,
    "  cluster:",
    `    server: ${server}`,
    "contexts:",
    `- name: ${name}`,
    "  context:",
    `    cluster: ${name}`,
    "    user: anonymous",
    "    namespace: default",
    `current-context: ${name}`,
    "users:",
    "- name: anonymous",
    "  user: {}",
    "",
  ].join("\n");
}

/** Writes `<dir>/kubeconfig` for the stack's Kubernetes API; answers its path. */
export function writeKubeconfig(dir: string, server: string): string {
  const path = join(dir, "kubeconfig");
  writeFileSync(path, kubeconfig(server), { mode: 0o600 });
  return path;
}
