import { kindInfo, arrayOf, objectOf, type JsonObject } from "@capstan/api";
import { modifyObject, type ModifyClient } from "../modify-object.js";
import { qualifiedResource, type Json } from "../printers.js";
import { parsePairs, parseResourceArgs, splitResourcesAndPairs, type ResourceRef } from "../resource-args.js";

/** The kinds with containers to set images on, and where their pod spec is. */
const POD_SPEC_PATH: Readonly<Record<string, readonly string[]>> = {
  Pod: ["spec"],
  Deployment: ["spec", "template", "spec"],
  ReplicaSet: ["spec", "template", "spec"],
  ReplicationController: ["spec", "template", "spec"],
  StatefulSet: ["spec", "template", "spec"],
};

export interface SetImageArgs {
  readonly targets: readonly ResourceRef[];
  /** Container name (or `*` for all) → image. */
  readonly images: ReadonlyMap<string, string>;
}

/** `RESOURCE... CONTAINER=IMAGE...` as kubectl set image takes them. */
export function parseSetImageArgs(args: readonly string[]): SetImageArgs {
  const { resources, pairs } = splitResourcesAndPairs(args, "image");
  if (resources.length === 0) throw new Error("one or more resources must be specified as <resource> <name> or <resource>/<name>");
  const { set: images } = parsePairs(pairs, "image", false);
  if (images.size === 0) throw new Error("at least one image update is required");
  if (images.size > 1 && images.has("*")) throw new Error("all containers are already specified by *, but saw more than one container_name=container_image pairs");
  const { refs, kindOnly } = parseResourceArgs(resources);
  if (kindOnly) throw new Error("one or more resources must be specified as <resource> <name> or <resource>/<name>");
  for (const ref of refs) {
    if (!POD_SPEC_PATH[ref.kind]) throw new Error(`${kindInfo(ref.kind).plural} have no containers to set images on: use pods, deployments, replicasets or replicationcontrollers`);
  }
  return { targets: refs, images };
}

/** Sets the images of the named containers of an object's pod spec; an unknown name refuses the whole change. */
export function setImages(kind: string, object: Json, images: ReadonlyMap<string, string>): void {
  const podSpec = (POD_SPEC_PATH[kind] ?? []).reduce<JsonObject | undefined>((o, k) => objectOf(o?.[k]), object);
  const containers = arrayOf<JsonObject>(podSpec?.["containers"]);
  for (const [name, image] of images) {
    const matching = containers.filter((c) => name === "*" || c["name"] === name);
    if (matching.length === 0) throw new Error(`unable to find container named "${name}"`);
    for (const c of matching) c["image"] = image;
  }
}

export async function setImage(client: ModifyClient, args: string[], namespace: string): Promise<void> {
  const { targets, images } = parseSetImageArgs(args);
  for (const ref of targets) {
    const { changed } = await modifyObject(client, { kind: ref.kind, namespace, name: ref.name }, (o) => setImages(ref.kind, o, images));
    // As kubectl: an object already at these images is left alone, without a line.
    if (changed) console.log(`${qualifiedResource(ref.kind)}/${ref.name} image updated`);
  }
}
