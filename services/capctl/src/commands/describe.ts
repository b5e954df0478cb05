import { stringify } from "yaml";
import { fromApiObject, kindInfo } from "@capstan/api";
import type { CapstanClient } from "@capstan/client";
import { age } from "../age.js";
import { podStatusText, type Json } from "../printers.js";
import { formatTable } from "../table.js";
import { parseTarget } from "./get.js";

const get = (o: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Json)[k] : undefined), o);

/** kubectl describe's layout: aligned "Key:  value" lines, nested sections indented by two. */
class Writer {
  private readonly lines: string[] = [];
  field(indent: number, key: string, value: unknown): void {
    const pad = " ".repeat(indent);
    const text = value === undefined || value === "" ? "<none>" : String(value);
    this.lines.push(`${pad}${`${key}:`.padEnd(Math.max(18 - indent, key.length + 2))}${text}`);
  }
  map(indent: number, key: string, m: unknown): void {
    const entries = Object.entries((m ?? {}) as Record<string, string>);
    if (entries.length === 0) return this.field(indent, key, "<none>");
    entries.forEach(([k, v], i) => {
      if (i === 0) this.field(indent, key, `${k}=${v}`);
      else this.lines.push(`${" ".repeat(Math.max(18, key.length + 2 + indent))}${k}=${v}`);
    });
  }
  line(text: string): void {
    this.lines.push(text);
  }
  toString(): string {
    return this.lines.join("\n");
  }
}

function containerState(state: Json | undefined): [string, [string, unknown][]] {
  if (state?.["running"]) return ["Running", [["Started", get(state, "running", "startedAt")]]];
  if (state?.["terminated"]) {
    const t = state["terminated"] as Json;
    return ["Terminated", [["Reason", t["reason"]], ["Exit Code", t["exitCode"] ?? 0], ["Started", t["startedAt"]], ["Finished", t["finishedAt"]]]];
  }
  if (state?.["waiting"]) return ["Waiting", [["Reason", get(state, "waiting", "reason")]]];
  return ["Waiting", [["Reason", "ContainerCreating"]]];
}

function describePod(w: Writer, pod: Json): void {
  const meta = pod["metadata"] as Json;
  w.field(0, "Name", meta["name"]);
  w.field(0, "Namespace", meta["namespace"]);
  w.field(0, "Node", get(pod, "spec", "nodeName") ? `${String(get(pod, "spec", "nodeName"))}/${String(get(pod, "status", "hostIP") ?? "")}` : "<none>");
  w.field(0, "Start Time", get(pod, "status", "startTime"));
  w.map(0, "Labels", meta["labels"]);
  w.map(0, "Annotations", meta["annotations"]);
  w.field(0, "Status", podStatusText(pod));
  if (meta["deletionTimestamp"]) w.field(0, "Termination Grace Period", `${String(meta["deletionGracePeriodSeconds"] ?? "")}s`);
  w.field(0, "IP", get(pod, "status", "podIP"));
  w.line("Containers:");
  const statuses = (get(pod, "status", "containerStatuses") ?? []) as Json[];
  for (const c of (get(pod, "spec", "containers") ?? []) as Json[]) {
    const s = statuses.find((x) => x["name"] === c["name"]);
    w.line(`  ${String(c["name"])}:`);
    w.field(4, "Image", c["image"]);
    if ((c["ports"] as Json[] | undefined)?.length) {
      w.field(4, "Port", (c["ports"] as Json[]).map((p) => `${String(p["containerPort"])}/${String(p["protocol"] ?? "TCP")}`).join(", "));
    }
    if ((c["command"] as string[] | undefined)?.length) w.field(4, "Command", (c["command"] as string[]).join(" "));
    if ((c["args"] as string[] | undefined)?.length) w.field(4, "Args", (c["args"] as string[]).join(" "));
    const [state, details] = containerState(s?.["state"] as Json | undefined);
    w.field(4, "State", state);
    for (const [k, v] of details) if (v !== undefined && v !== "") w.field(6, k, v);
    if (get(s, "lastState", "terminated")) {
      const [last, lastDetails] = containerState(s?.["lastState"] as Json);
      w.field(4, "Last State", last);
      for (const [k, v] of lastDetails) if (v !== undefined && v !== "") w.field(6, k, v);
    }
    w.field(4, "Ready", s?.["ready"] ? "True" : "False");
    w.field(4, "Restart Count", s?.["restartCount"] ?? 0);
    const req = get(c, "resources", "requests") as Json | undefined;
    if (req && Object.keys(req).length) w.map(4, "Requests", req);
    const env = (c["env"] ?? []) as Json[];
    w.field(4, "Environment", env.length ? env.map((e) => `${String(e["name"])}=${String(e["value"] ?? "")}`).join(", ") : "<none>");
    const mounts = (c["volumeMounts"] ?? []) as Json[];
    w.field(4, "Mounts", mounts.length ? mounts.map((m) => `${String(m["mountPath"])} from ${String(m["name"])} (${m["readOnly"] ? "ro" : "rw"})`).join(", ") : "<none>");
  }
  const conditions = (get(pod, "status", "conditions") ?? []) as Json[];
  if (conditions.length) {
    w.line("Conditions:");
    for (const line of formatTable(["Type", "Status"], conditions.map((c) => [String(c["type"]), String(c["status"])])).split("\n")) w.line(`  ${line}`);
  }
  const volumes = (get(pod, "spec", "volumes") ?? []) as Json[];
  w.line(`Volumes:${volumes.length ? "" : "  <none>"}`);
  for (const v of volumes) {
    w.line(`  ${String(v["name"])}:`);
    if (v["emptyDir"]) w.field(4, "Type", "EmptyDir (a temporary directory that shares a pod's lifetime)");
    if (v["hostPath"]) {
      w.field(4, "Type", "HostPath (bare host directory volume)");
      w.field(4, "Path", get(v, "hostPath", "path"));
    }
  }
  w.map(0, "Node-Selectors", get(pod, "spec", "nodeSelector"));
  const tolerations = (get(pod, "spec", "tolerations") ?? []) as Json[];
  w.field(0, "Tolerations", tolerations.map((t) => `${String(t["key"] ?? "")}${t["operator"] === "Exists" ? "" : `=${String(t["value"] ?? "")}`}:${String(t["effect"] ?? "")}`).join(", "));
}

function describeGeneric(w: Writer, o: Json): void {
  const meta = o["metadata"] as Json;
  w.field(0, "Name", meta["name"]);
  if (meta["namespace"]) w.field(0, "Namespace", meta["namespace"]);
  w.map(0, "Labels", meta["labels"]);
  w.map(0, "Annotations", meta["annotations"]);
  w.field(0, "CreationTimestamp", meta["creationTimestamp"]);
  const rest = { ...o };
  delete rest["metadata"];
  delete rest["apiVersion"];
  delete rest["kind"];
  for (const line of stringify(rest).trimEnd().split("\n")) w.line(line);
}

async function describeEvents(w: Writer, client: CapstanClient, o: Json): Promise<void> {
  const uid = String(get(o, "metadata", "uid"));
  const list = await client.list({ kind: "Event", namespace: String(get(o, "metadata", "namespace") || ""), fieldSelector: `involvedObject.uid=${uid}` });
  const events = list.items.map((e) => fromApiObject(e).json).sort((a, b) => String(a["lastTimestamp"]).localeCompare(String(b["lastTimestamp"])));
  if (events.length === 0) return w.line("Events:            <none>");
  w.line("Events:");
  const rows = events.map((e) => [String(e["type"]), String(e["reason"]), age(e["lastTimestamp"]), String(get(e, "source", "component") ?? ""), String(e["message"] ?? "")]);
  const table = formatTable(["Type", "Reason", "Age", "From", "Message"], [["----", "------", "----", "----", "-------"], ...rows]);
  for (const line of table.split("\n")) w.line(`  ${line}`);
}

export async function describe(client: CapstanClient, args: string[], namespace: string): Promise<void> {
  const { kind, names } = parseTarget(args);
  const ns = kindInfo(kind).namespaced ? namespace : "";
  const objects = names.length
    ? await Promise.all(names.map(async (name) => fromApiObject(await client.get({ kind, namespace: ns, name })).json))
    : (await client.list({ kind, namespace: ns })).items.map((o) => fromApiObject(o).json);
  const texts: string[] = [];
  for (const o of objects) {
    const w = new Writer();
    if (kind === "Pod") describePod(w, o);
    else describeGeneric(w, o);
    if (kind !== "Event") await describeEvents(w, client, o);
    texts.push(w.toString());
  }
  console.log(texts.join("\n\n\n"));
}
