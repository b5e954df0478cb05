import { fromApiObject, kindInfo, resolveResourceName, metaOf, type KindName } from "@capstan/api";
import type { ObjectKey } from "@capstan/apimachinery";
import type { CapstanClient } from "@capstan/client";

export interface ResourceRef {
  readonly kind: KindName;
  readonly name: string;
}

/** The objects a command line names, or, when it gives a type and no name, that type alone (for --all and -l). */
export interface ResourceArgs {
  readonly refs: readonly ResourceRef[];
  readonly kindOnly?: KindName;
}

/** kubectl's two ways to name objects: `TYPE NAME...`, or `TYPE/NAME...` (then types may differ). */
export function parseResourceArgs(args: readonly string[]): ResourceArgs {
  const [first, ...rest] = args;
  if (first === undefined) throw new Error("you must specify the type of resource and its name, e.g. deployment/web or deployment web");
  if (!args.some((a) => a.includes("/"))) {
    const kind = resolveResourceName(first);
    return rest.length ? { refs: rest.map((name) => ({ kind, name })) } : { refs: [], kindOnly: kind };
  }
  return {
    refs: args.map((arg) => {
      const parts = arg.split("/");
      if (parts.length === 1) {
        throw new Error(`there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. deployment/web, not deployment deployment/web)`);
      }
      const [type = "", name = ""] = parts;
      if (parts.length !== 2 || !type || !name) throw new Error(`arguments in resource/name form must have a single resource and name: "${arg}"`);
      return { kind: resolveResourceName(type), name };
    }),
  };
}

/** The one object a command acts on (rollout status, history, undo); several are refused. */
export function parseSingleResource(args: readonly string[], usage: string): ResourceRef {
  const { refs } = parseResourceArgs(args);
  const [ref] = refs;
  if (!ref) throw new Error(`a resource name is required, e.g. ${usage}`);
  if (refs.length > 1) throw new Error(`only one resource may be given, e.g. ${usage}`);
  return ref;
}

/** kubectl's split of `RESOURCE... KEY=VALUE... KEY-...`: every pair comes after every resource. */
export function splitResourcesAndPairs(args: readonly string[], pairType: string): { resources: string[]; pairs: string[] } {
  const resources: string[] = [];
  const pairs: string[] = [];
  for (const arg of args) {
    const isPair = (arg.includes("=") && !arg.startsWith("=")) || (arg.endsWith("-") && arg !== "-");
    if (isPair) pairs.push(arg);
    else if (pairs.length) throw new Error(`all resources must be specified before ${pairType} changes: ${arg}`);
    else resources.push(arg);
  }
  return { resources, pairs };
}

export interface PairChanges {
  /** Keys to set, with their values, in the order given. */
  readonly set: ReadonlyMap<string, string>;
  /** Keys to remove (`key-`). */
  readonly remove: readonly string[];
}

/** `KEY=VALUE` and, where the command allows it, `KEY-`; anything else is refused, all at once. */
export function parsePairs(pairs: readonly string[], pairType: string, allowRemove: boolean): PairChanges {
  const set = new Map<string, string>();
  const remove: string[] = [];
  const invalid: string[] = [];
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq > 0) set.set(pair.slice(0, eq), pair.slice(eq + 1));
    else if (allowRemove && pair.endsWith("-") && pair !== "-") remove.push(pair.slice(0, -1));
    else invalid.push(pair);
  }
  if (invalid.length) throw new Error(`invalid ${pairType} format: ${invalid.join(", ")}`);
  return { set, remove };
}

export interface TargetOptions {
  readonly namespace: string;
  /** Every object of the type given (kubectl --all). */
  readonly all?: boolean;
  /** Objects of the type given whose labels match (kubectl -l). */
  readonly selector?: string;
}

/** The keys of the objects named on the command line, listing the type for --all or -l. */
export async function targetKeys(client: Pick<CapstanClient, "list">, resources: readonly string[], opts: TargetOptions): Promise<ObjectKey[]> {
  const scoped = (kind: KindName, name: string): ObjectKey => ({ kind, namespace: kindInfo(kind).namespaced ? opts.namespace : "", name });
  const { refs, kindOnly } = parseResourceArgs(resources);
  const listing = opts.all || opts.selector !== undefined;
  if (!listing) {
    if (kindOnly) throw new Error(`resource(s) were provided, but no name was specified`);
    return refs.map((r) => scoped(r.kind, r.name));
  }
  if (!kindOnly) throw new Error(`names cannot be given together with ${opts.all ? "--all" : "a selector"}`);
  const namespace = kindInfo(kindOnly).namespaced ? opts.namespace : "";
  const list = await client.list({ kind: kindOnly, namespace, labelSelector: opts.selector ?? "" });
  return list.items.map((o) => scoped(kindOnly, metaOf(fromApiObject(o).json).name));
}
