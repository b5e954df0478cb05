import { stringify } from "yaml";
import { categoryAllKinds, formatTable, fromApiObject, kindInfo, resolveResourceName, metaOf } from "@capstan/api";
import type { CapstanClient } from "@capstan/client";
import { qualifiedResource, sortForDisplay, tableColumns, tableRow, withoutManagedFields, type Json } from "../printers.js";

export interface GetOptions {
  readonly output?: string;
  readonly namespace: string;
  readonly allNamespaces: boolean;
  readonly selector?: string;
  readonly fieldSelector?: string;
  readonly watch: boolean;
  /** `--at-revision R`: as the cluster was at revision R, from the event log (with --watch, every change after R). */
  readonly atRevision?: number;
  /** `--show-managed-fields`: keep metadata.managedFields in json and yaml, which kubectl leaves out by default. */
  readonly showManagedFields?: boolean;
}

/** The revision field of a Get or List request: set only for --at-revision. */
function atRevision(opts: GetOptions): { revision?: number } {
  return opts.atRevision === undefined ? {} : { revision: opts.atRevision };
}

/** `pods`, `pods web api`, `pod/web`: the kind and the names asked for. */
export function parseTarget(args: readonly string[]): { kind: string; names: string[] } {
  const [first = "", ...rest] = args;
  if (!first) throw new Error("you must specify the type of resource to get, e.g. capctl get pods");
  const [resource = "", slashName] = first.split("/");
  const kind = resolveResourceName(resource);
  return { kind, names: slashName ? [slashName, ...rest] : rest };
}

function print(kind: string, shown: Json[], opts: GetOptions, single: boolean): void {
  const items = opts.showManagedFields ? shown : shown.map(withoutManagedFields);
  switch (opts.output) {
    case "json":
      console.log(JSON.stringify(single ? items[0] : { apiVersion: "v1", kind: "List", items }, null, 2));
      return;
    case "yaml":
      process.stdout.write(stringify(single ? items[0] : { apiVersion: "v1", kind: "List", items }));
      return;
    case "name":
      for (const o of items) console.log(`${qualifiedResource(kind)}/${metaOf(o).name}`);
      return;
    case undefined:
    case "wide": {
      const withNamespace = opts.allNamespaces && kindInfo(kind).namespaced;
      const t = { wide: opts.output === "wide", withNamespace };
      if (items.length === 0) {
        console.error(opts.allNamespaces || !kindInfo(kind).namespaced ? "No resources found" : `No resources found in ${opts.namespace} namespace.`);
        return;
      }
      console.log(formatTable(tableColumns(kind, t), sortForDisplay(kind, items).map((o) => tableRow(kind, o, t))));
      return;
    }
    default:
      throw new Error(`unable to match a printer suitable for the output format "${opts.output}", allowed formats are: json,name,wide,yaml`);
  }
}

/** A type as `get` takes it: a resource, or the category `all` (kubectl's workloads and services). */
function kindsNamedBy(type: string): string[] {
  return type === "all" ? categoryAllKinds() : [resolveResourceName(type)];
}

/** `get deploy,rs,pods`: one table per kind with kind-qualified names, as kubectl prints several types. */
async function getSeveral(client: CapstanClient, kinds: readonly string[], opts: GetOptions): Promise<void> {
  const namespace = opts.allNamespaces ? "" : opts.namespace;
  const found: { kind: string; items: Json[] }[] = [];
  for (const kind of kinds) {
    const list = await client.list({ kind, namespace, labelSelector: opts.selector ?? "", fieldSelector: opts.fieldSelector ?? "", ...atRevision(opts) });
    found.push({ kind, items: list.items.map((o) => fromApiObject(o).json) });
  }
  if (opts.output !== undefined && opts.output !== "wide") {
    if (opts.output === "name") for (const { kind, items } of found) print(kind, items, opts, false);
    else print(kinds[0]!, found.flatMap((f) => f.items), opts, false);
    return;
  }
  const tables = found
    .filter((f) => f.items.length > 0)
    .map(({ kind, items }) => {
      const t = { wide: opts.output === "wide", withNamespace: opts.allNamespaces && kindInfo(kind).namespaced };
      const nameColumn = t.withNamespace ? 1 : 0;
      const rows = sortForDisplay(kind, items).map((o) => {
        const row = tableRow(kind, o, t);
        row[nameColumn] = `${qualifiedResource(kind)}/${row[nameColumn]}`;
        return row;
      });
      return formatTable(tableColumns(kind, t), rows);
    });
  if (tables.length === 0) console.error(opts.allNamespaces ? "No resources found" : `No resources found in ${opts.namespace} namespace.`);
  else console.log(tables.join("\n\n"));
}

export async function get(client: CapstanClient, args: string[], opts: GetOptions): Promise<void> {
  const [first = ""] = args;
  const types = first.split(",");
  if (!first.includes("/") && (types.length > 1 || types.includes("all"))) {
    if (opts.watch) throw new Error("you may only specify a single resource type with --watch");
    if (args.length > 1) throw new Error("names may only be given with a single resource type");
    return getSeveral(client, [...new Set(types.flatMap(kindsNamedBy))], opts);
  }
  const { kind, names } = parseTarget(args);
  const namespace = opts.allNamespaces ? "" : opts.namespace;
  let items: Json[];
  let revision: string;
  if (names.length > 0) {
    items = [];
    for (const name of names) items.push(fromApiObject(await client.get({ kind, namespace, name, ...atRevision(opts) })).json);
    revision = opts.atRevision === undefined ? "" : String(opts.atRevision);
  } else {
    const list = await client.list({ kind, namespace, labelSelector: opts.selector ?? "", fieldSelector: opts.fieldSelector ?? "", ...atRevision(opts) });
    items = list.items.map((o) => fromApiObject(o).json);
    revision = list.resourceVersion;
  }
  print(kind, items, opts, names.length === 1 && !opts.watch);
  if (!opts.watch) return;
  const t = { wide: opts.output === "wide", withNamespace: opts.allNamespaces && kindInfo(kind).namespaced };
  const stream = client.watch({ kind, namespace, labelSelector: opts.selector ?? "", fieldSelector: opts.fieldSelector ?? "", resourceVersion: revision });
  process.once("SIGINT", () => stream.cancel());
  for await (const e of stream) {
    if (!e.object) continue;
    const o = fromApiObject(e.object).json;
    if (names.length > 0 && !names.includes(metaOf(o).name)) continue;
    if (opts.output === "json" || opts.output === "yaml") print(kind, [o], opts, true);
    else console.log(formatTable(tableColumns(kind, t), [tableRow(kind, o, t)]).split("\n")[1]);
  }
}
