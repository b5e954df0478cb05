/**
 * Kubernetes' DefaultStorageClass admission plugin (plugin/pkg/admission/storage/storageclass/setdefault):
 * a claim created without spec.storageClassName gets the default class's name. A claim that says "" asks
 * for no class and keeps it. The class is read in the claim's own commit, so a claim never gets the name
 * of a class that stopped being the default before it was written.
 */
import type { Decide, JsonObject, ObjectKey } from "@capstan/apimachinery";
import { metaOf, specOf } from "../../object-view.js";
import type { KindAdmission } from "../kind-strategy.js";
import { isDefaultStorageClass } from "./storage-classes.js";

export function storageClassKey(name: string): ObjectKey {
  return { kind: "StorageClass", namespace: "", name };
}

/** The default class among these: with several, the newest (then the first by name), as GetDefaultClass. */
export function defaultStorageClassName(classes: readonly JsonObject[]): string | undefined {
  const defaults = classes.filter(isDefaultStorageClass).map((sc) => metaOf(sc));
  defaults.sort((a, b) => b.creationTimestamp.localeCompare(a.creationTimestamp) || a.name.localeCompare(b.name));
  return defaults[0]?.name;
}

/** Wraps a claim create so it decides on the claim with the default class, when that class still is one. */
export function withDefaultStorageClass(claim: JsonObject, defaultClass: string | undefined, decide: (claim: JsonObject) => Decide): Decide {
  const spec = specOf(claim);
  if (spec["storageClassName"] !== undefined || defaultClass === undefined) return decide(claim);
  return (current, read) => {
    const admitted = isDefaultStorageClass(read(storageClassKey(defaultClass))?.object) ? { ...claim, spec: { ...spec, storageClassName: defaultClass } } : claim;
    return decide(admitted)(current, read);
  };
}

/** A claim create that names no class gets the default one. */
export const defaultStorageClassAdmission: KindAdmission = {
  async create(_key, claim, decide, ctx) {
    if (specOf(claim)["storageClassName"] !== undefined) return { decide: decide(claim), reads: [] };
    const defaultClass = await ctx.defaultStorageClass();
    return { decide: withDefaultStorageClass(claim, defaultClass, decide), reads: defaultClass === undefined ? [] : [storageClassKey(defaultClass)] };
  },
};

/** After a StorageClass write the known default is looked up again. */
export const storageClassAdmission: KindAdmission = {
  committed: (ctx) => ctx.storageClassesChanged(),
};
