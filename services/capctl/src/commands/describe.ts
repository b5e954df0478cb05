import { stringify } from "yaml";
import { DescribeWriter, eventInterval, formatTable, fromApiObject, kindInfo, valueAt, metaOf, type DescribeLookup } from "@capstan/api";
import { isCapstanError } from "@capstan/apimachinery";
import type { CapstanClient } from "@capstan/client";
import type { Json } from "../printers.js";
import { parseTarget } from "./get.js";

/** kubectl's generic describer, for a kind without its own: metadata, then the rest of the object as YAML. */
function describeGeneric(o: Json): readonly string[] {
  const w = new DescribeWriter();
  const meta = metaOf(o).json;
  w.field(0, "Name", meta["name"]);
  if (meta["namespace"]) w.field(0, "Namespace", meta["namespace"]);
  w.map(0, "Labels", meta["labels"]);
  w.annotations(0, meta["annotations"]);
  w.field(0, "CreationTimestamp", meta["creationTimestamp"]);
  const rest = { ...o };
  delete rest["metadata"];
  delete rest["apiVersion"];
  delete rest["kind"];
  w.block(0, stringify(rest).trimEnd());
  return w.lines;
}

/** The Events section kubectl ends a description with: the events about the object, oldest first, a repeated one once with its count. */
async function describeEvents(client: CapstanClient, o: Json): Promise<readonly string[]> {
  const uid = String(valueAt(o, "metadata", "uid"));
  const list = await client.list({ kind: "Event", namespace: String(valueAt(o, "metadata", "namespace") || ""), fieldSelector: `involvedObject.uid=${uid}` });
  const events = list.items.map((e) => fromApiObject(e).json).sort((a, b) => String(a["lastTimestamp"]).localeCompare(String(b["lastTimestamp"])));
  if (events.length === 0) return ["Events:            <none>"];
  const w = new DescribeWriter();
  w.line("Events:");
  const rows = events.map((e) => [String(e["type"]), String(e["reason"]), eventInterval(e), String(valueAt(e, "source", "component") ?? ""), String(e["message"] ?? "")]);
  w.block(2, formatTable(["Type", "Reason", "Age", "From", "Message"], [["----", "------", "----", "----", "-------"], ...rows]));
  return w.lines;
}

/**
 * The trace of the object's last change, from its history in the log: where a tracing backend shows
 * what that write caused (a Deployment's apply down to its pods running).
 */
async function describeTrace(client: CapstanClient, kind: string, o: Json): Promise<string> {
  const meta = metaOf(o).json;
  const { events } = await client.history({ kind, namespace: String(meta["namespace"] ?? ""), name: String(meta["name"]) });
  const w = new DescribeWriter();
  w.field(0, "Trace ID", events.at(-1)?.traceId);
  return w.lines.join("\n");
}

/** What a kind's describer may read, through the client. */
function lookupThrough(client: CapstanClient): DescribeLookup {
  return {
    async get(kind, namespace, name) {
      try {
        return fromApiObject(await client.get({ kind, namespace, name })).json;
      } catch (e) {
        if (isCapstanError(e, "NotFound")) return undefined;
        throw e;
      }
    },
    async list(kind, namespace, labelSelector = "") {
      return (await client.list({ kind, namespace, labelSelector })).items.map((o) => fromApiObject(o).json);
    },
  };
}

export async function describe(client: CapstanClient, args: string[], namespace: string): Promise<void> {
  const { kind, names } = parseTarget(args);
  const info = kindInfo(kind);
  const ns = info.namespaced ? namespace : "";
  const objects = names.length
    ? await Promise.all(names.map(async (name) => fromApiObject(await client.get({ kind, namespace: ns, name })).json))
    : (await client.list({ kind, namespace: ns })).items.map((o) => fromApiObject(o).json);
  const lookup = lookupThrough(client);
  const texts: string[] = [];
  for (const o of objects) {
    const lines = [...(info.describe?.sections ? await info.describe.sections(o, lookup) : describeGeneric(o))];
    lines.push(await describeTrace(client, kind, o));
    if (info.describe?.events !== false) lines.push(...(await describeEvents(client, o)));
    texts.push(lines.join("\n"));
  }
  console.log(texts.join("\n\n\n"));
}
