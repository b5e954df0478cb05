/**
 * Kubernetes' LimitRanger admission plugin (plugin/pkg/admission/limitranger), for items of type
 * Container: a new pod's containers get the default requests and limits they do not name, and a container
 * outside an item's min, max or maxLimitRequestRatio is refused with Kubernetes' messages. The namespace's
 * LimitRanges are read in the pod's own commit.
 */
import { ForbiddenError, parseQuantity, type Decide, type JsonObject, type ObjectKey } from "@capstan/apimachinery";
import { arrayOf, metaOf, objectOf, specOf, stringOf } from "../../object-view.js";

export const LIMIT_TYPE_CONTAINER = "Container";
const LIMIT_RANGER_ANNOTATION = "kubernetes.io/limit-ranger";

export function limitRangeKey(namespace: string, name: string): ObjectKey {
  return { kind: "LimitRange", namespace, name };
}

type ResourceList = Readonly<Record<string, string>>;

interface ContainerItem {
  readonly max: ResourceList;
  readonly min: ResourceList;
  readonly default: ResourceList;
  readonly defaultRequest: ResourceList;
  readonly maxLimitRequestRatio: ResourceList;
}

function listAt(o: JsonObject, key: string): ResourceList {
  return Object.fromEntries(Object.entries(objectOf(o[key]) ?? {}).map(([k, v]) => [k, String(v)]));
}

/** The Container items of the LimitRanges, in order. */
function containerItems(limitRanges: readonly JsonObject[]): ContainerItem[] {
  return limitRanges.flatMap((lr) =>
    arrayOf(specOf(lr)["limits"])
      .map((i) => objectOf(i) ?? {})
      .filter((i) => i["type"] === LIMIT_TYPE_CONTAINER)
      .map((i) => ({
        max: listAt(i, "max"),
        min: listAt(i, "min"),
        default: listAt(i, "default"),
        defaultRequest: listAt(i, "defaultRequest"),
        maxLimitRequestRatio: listAt(i, "maxLimitRequestRatio"),
      })),
  );
}

interface Container {
  readonly name: string;
  readonly requests: Record<string, string>;
  readonly limits: Record<string, string>;
}

/**
 * The pod as LimitRanger admits it: each container's missing limits and requests defaulted from the
 * items (the annotation says which), then every container checked against every item's bounds.
 */
export function admitPodLimits(pod: JsonObject, limitRanges: readonly JsonObject[]): { pod: JsonObject } | { error: Error } {
  const items = containerItems(limitRanges);
  if (items.length === 0) return { pod };
  const spec = specOf(pod);
  const set: string[] = [];
  // Containers first, then init containers, as mergePodResourceRequirements names them.
  const defaulted = (field: string, type: string) => arrayOf(spec[field]).map((c) => withDefaults(objectOf(c) ?? {}, items, type, set));
  const containers = defaulted("containers", "container");
  const initContainers = defaulted("initContainers", "init container");
  const errors = [...containers, ...initContainers].flatMap((c) => items.flatMap((item) => boundsErrors(containerResourcesOf(c), item)));
  if (errors.length > 0) {
    const why = errors.length === 1 ? errors[0] : `[${errors.join(", ")}]`;
    return { error: new ForbiddenError(`pods "${metaOf(pod).name}" is forbidden: ${why}`) };
  }
  if (set.length === 0) return { pod };
  const meta = metaOf(pod).json;
  const annotations = { ...(objectOf(meta["annotations"]) ?? {}), [LIMIT_RANGER_ANNOTATION]: `LimitRanger plugin set: ${set.join("; ")}` };
  const admittedSpec: JsonObject = { ...spec, containers };
  if (initContainers.length > 0) admittedSpec["initContainers"] = initContainers;
  return { pod: { ...pod, metadata: { ...meta, annotations }, spec: admittedSpec } };
}

function containerResourcesOf(c: JsonObject): Container {
  const resources = objectOf(c["resources"]) ?? {};
  return { name: stringOf(c["name"]), requests: { ...listAt(resources, "requests") }, limits: { ...listAt(resources, "limits") } };
}

/** The container with the items' defaults for what it does not name (mergeContainerResources); `set` gets what was added. */
function withDefaults(c: JsonObject, items: readonly ContainerItem[], containerType: string, set: string[]): JsonObject {
  const { name, requests, limits } = containerResourcesOf(c);
  const setRequests: string[] = [];
  const setLimits: string[] = [];
  for (const item of items) {
    for (const [r, q] of Object.entries(item.default)) {
      if (limits[r] !== undefined) continue;
      limits[r] = q;
      setLimits.push(r);
    }
    for (const [r, q] of Object.entries(item.defaultRequest)) {
      if (requests[r] !== undefined) continue;
      requests[r] = q;
      setRequests.push(r);
    }
  }
  if (setRequests.length > 0) set.push(`${setRequests.sort().join(", ")} request for ${containerType} ${name}`);
  if (setLimits.length > 0) set.push(`${setLimits.sort().join(", ")} limit for ${containerType} ${name}`);
  if (setRequests.length === 0 && setLimits.length === 0) return c;
  return { ...c, resources: { ...(objectOf(c["resources"]) ?? {}), requests, limits } };
}

/** minConstraint, maxConstraint and limitRequestRatioConstraint for one container and one item. */
function boundsErrors(c: Container, item: ContainerItem): string[] {
  const errs: string[] = [];
  const per = `per ${LIMIT_TYPE_CONTAINER}`;
  for (const [r, min] of Object.entries(item.min)) {
    const request = c.requests[r];
    const limit = c.limits[r];
    if (request === undefined) errs.push(`minimum ${r} usage ${per} is ${min}.  No request is specified`);
    else if (parseQuantity(request).cmp(parseQuantity(min)) < 0) errs.push(`minimum ${r} usage ${per} is ${min}, but request is ${request}`);
    else if (limit !== undefined && parseQuantity(limit).cmp(parseQuantity(min)) < 0) errs.push(`minimum ${r} usage ${per} is ${min}, but limit is ${limit}`);
  }
  for (const [r, max] of Object.entries(item.max)) {
    const request = c.requests[r];
    const limit = c.limits[r];
    if (limit === undefined) errs.push(`maximum ${r} usage ${per} is ${max}.  No limit is specified`);
    else if (parseQuantity(limit).cmp(parseQuantity(max)) > 0) errs.push(`maximum ${r} usage ${per} is ${max}, but limit is ${limit}`);
    else if (request !== undefined && parseQuantity(request).cmp(parseQuantity(max)) > 0) errs.push(`maximum ${r} usage ${per} is ${max}, but request is ${request}`);
  }
  for (const [r, ratio] of Object.entries(item.maxLimitRequestRatio)) {
    const request = c.requests[r] === undefined ? 0 : parseQuantity(c.requests[r]).milliValue();
    const limit = c.limits[r] === undefined ? 0 : parseQuantity(c.limits[r]).milliValue();
    if (request === 0) errs.push(`${r} max limit to request ratio ${per} is ${ratio}, but no request is specified or request is 0`);
    else if (limit === 0) errs.push(`${r} max limit to request ratio ${per} is ${ratio}, but no limit is specified or limit is 0`);
    else if (limit * 1000 > parseQuantity(ratio).milliValue() * request) {
      errs.push(`${r} max limit to request ratio ${per} is ${ratio}, but provided ratio is ${(limit / request).toFixed(6)}`);
    }
  }
  return errs;
}

/** Wraps a pod create so it decides on the pod as the namespace's LimitRanges, read in the commit, admit it. */
export function withLimitRanges(namespace: string, names: readonly string[], decide: (pod: JsonObject) => Decide, pod: JsonObject): Decide {
  return (current, read) => {
    const limitRanges = names.flatMap((name): JsonObject[] => {
      const lr = read(limitRangeKey(namespace, name))?.object;
      return lr ? [lr] : [];
    });
    const admitted = admitPodLimits(pod, limitRanges);
    return "error" in admitted ? admitted : decide(admitted.pod)(current, read);
  };
}
