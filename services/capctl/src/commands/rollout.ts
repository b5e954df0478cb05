import { kindInfo, childObject, metaOf, objectOf } from "@capstan/api";
import { rfc3339Seconds } from "@capstan/apimachinery";
import { modifyObject, type ModifyClient } from "../modify-object.js";
import { qualifiedResource, type Json } from "../printers.js";
import { parseResourceArgs, type ResourceRef } from "../resource-args.js";
import { RESTARTED_AT_ANNOTATION } from "../well-known.js";

/** The Deployments a rollout subcommand names; other kinds have no rollout to manage. */
export function deploymentRefs(args: readonly string[], subcommand: string): readonly ResourceRef[] {
  const { refs, kindOnly } = parseResourceArgs(args);
  if (kindOnly) throw new Error(`a deployment name is required, e.g. capctl rollout ${subcommand} deployment/web`);
  for (const ref of refs) {
    if (ref.kind !== "Deployment") throw new Error(`rollout ${subcommand} supports deployments only, not ${kindInfo(ref.kind).plural}`);
  }
  return refs;
}

/** kubectl's name for a resource in errors: `deployments.apps "web"`. */
function resourceText(kind: string, name: string): string {
  const info = kindInfo(kind);
  return `${info.group ? `${info.plural}.${info.group}` : info.plural} "${name}"`;
}

const specOf = (o: Json): Json => childObject(o, "spec");

/** Pauses (true) or resumes (false) a Deployment; doing what is already so is an error, as in kubectl. */
export function setPaused(deployment: Json, paused: boolean): void {
  const spec = specOf(deployment);
  const name = metaOf(deployment).name;
  if ((spec["paused"] === true) === paused) throw new Error(`${resourceText("Deployment", name)} ${paused ? "is already paused" : "is not paused"}`);
  spec["paused"] = paused;
}

/** Stamps the template so the Deployment rolls out fresh pods; a paused Deployment would not roll. */
export function stampRestart(deployment: Json, now: Date): void {
  const spec = specOf(deployment);
  const name = metaOf(deployment).name;
  if (spec["paused"] === true) throw new Error(`${resourceText("Deployment", name)} can't restart paused deployment (run rollout resume first)`);
  const template = childObject(spec, "template");
  const metadata = childObject(template, "metadata");
  // RFC 3339 to the second, as kubectl writes it.
  metadata["annotations"] = { ...objectOf(metadata["annotations"]), [RESTARTED_AT_ANNOTATION]: rfc3339Seconds(now) };
}

export async function rolloutPause(client: ModifyClient, args: string[], namespace: string, paused: boolean): Promise<void> {
  const subcommand = paused ? "pause" : "resume";
  for (const ref of deploymentRefs(args, subcommand)) {
    await modifyObject(client, { kind: ref.kind, namespace, name: ref.name }, (o) => setPaused(o, paused));
    console.log(`${qualifiedResource(ref.kind)}/${ref.name} ${paused ? "paused" : "resumed"}`);
  }
}

export async function rolloutRestart(client: ModifyClient, args: string[], namespace: string, now: () => Date = () => new Date()): Promise<void> {
  for (const ref of deploymentRefs(args, "restart")) {
    const { changed } = await modifyObject(client, { kind: ref.kind, namespace, name: ref.name }, (o) => stampRestart(o, now()));
    if (!changed) throw new Error(`${resourceText(ref.kind, ref.name)} was restarted within the past second: wait a moment before restarting it again`);
    console.log(`${qualifiedResource(ref.kind)}/${ref.name} restarted`);
  }
}
