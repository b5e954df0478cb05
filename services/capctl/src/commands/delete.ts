import { fromApiObject, kindInfo, metaOf, stringOf } from "@capstan/api";
import { isCapstanError } from "@capstan/apimachinery";
import type { CapstanClient } from "@capstan/client";
import { readManifests } from "../manifests.js";
import { qualifiedResource } from "../printers.js";
import { parseTarget } from "./get.js";

/** DeleteRequest.propagationPolicy: what happens to the dependents of a deleted object. */
export type PropagationPolicy = "Background" | "Foreground" | "Orphan";

/**
 * kubectl's --cascade: background (the default, also a bare --cascade), foreground or orphan, and the
 * deprecated true (background) and false (orphan), which earn a warning as in kubectl.
 */
export function propagationPolicyOf(cascade: string | boolean, warn: (message: string) => void = console.error): PropagationPolicy {
  const value = String(cascade);
  switch (value) {
    case "background":
      return "Background";
    case "foreground":
      return "Foreground";
    case "orphan":
      return "Orphan";
    case "true":
    case "false": {
      const replacement = value === "true" ? "background" : "orphan";
      warn(`warning: --cascade=${value} is deprecated (boolean value) and can be replaced with --cascade=${replacement}.`);
      return value === "true" ? "Background" : "Orphan";
    }
    default:
      throw new Error(`invalid cascade value (${value}). Must be "background", "foreground", or "orphan".`);
  }
}

export interface DeleteOptions {
  readonly namespace: string;
  readonly filenames?: string[];
  readonly force: boolean;
  readonly gracePeriod?: number;
  readonly wait: boolean;
  readonly ignoreNotFound: boolean;
  readonly propagationPolicy?: PropagationPolicy;
}

/** As kubectl's wait: until the object deleted (`uid`) is gone; a namesake made since (a mirror pod's) is another object. */
async function waitUntilGone(client: CapstanClient, kind: string, namespace: string, name: string, uid: string): Promise<void> {
  for (;;) {
    try {
      const current = await client.get({ kind, namespace, name });
      if (uid !== "" && metaOf(fromApiObject(current).json).uid !== uid) return;
    } catch (e) {
      if (isCapstanError(e, "NotFound")) return;
      throw e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function deleteObjects(client: CapstanClient, args: string[], opts: DeleteOptions): Promise<void> {
  const targets: { kind: string; namespace: string; name: string }[] = [];
  if (opts.filenames?.length) {
    for (const m of readManifests(opts.filenames)) {
      const meta = metaOf(m.json).json;
      targets.push({ kind: m.kind, namespace: typeof meta["namespace"] === "string" ? meta["namespace"] : opts.namespace, name: stringOf(meta["name"]) });
    }
  } else {
    const { kind, names } = parseTarget(args);
    if (names.length === 0) throw new Error(`resource(s) were provided, but no name was specified`);
    for (const name of names) targets.push({ kind, namespace: opts.namespace, name });
  }
  if (opts.force && opts.gracePeriod === undefined) {
    console.error("Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.");
  }
  const grace = opts.force ? 0 : opts.gracePeriod;
  for (const t of targets) {
    const info = kindInfo(t.kind);
    const namespace = info.namespaced ? t.namespace : "";
    let uid = "";
    try {
      const response = await client.delete({
        kind: t.kind,
        namespace,
        name: t.name,
        ...(grace !== undefined ? { gracePeriodSeconds: grace } : {}),
        ...(opts.propagationPolicy ? { propagationPolicy: opts.propagationPolicy } : {}),
      });
      if (response.object) uid = metaOf(fromApiObject(response.object).json).uid;
    } catch (e) {
      if (opts.ignoreNotFound && isCapstanError(e, "NotFound")) continue;
      throw e;
    }
    if (opts.wait) await waitUntilGone(client, t.kind, namespace, t.name, uid);
    console.log(`${qualifiedResource(t.kind)} "${t.name}" ${opts.force ? "force deleted" : "deleted"}`);
  }
}
