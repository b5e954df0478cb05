import { isDeepStrictEqual } from "node:util";
import { stringify } from "yaml";
import { formatTable, fromApiObject, kindInfo } from "@capstan/api";
import { age, isCapstanError } from "@capstan/apimachinery";
import type { CapstanClient } from "@capstan/client";
import { endpointsText, mapSelectorText, podStatusText, selectorText, type Json } from "../printers.js";
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

/** A probe as kubectl describe prints it: `http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3`. */
export function probeText(probe: Json): string {
  let action = "unknown";
  if (probe["exec"]) action = `exec [${((get(probe, "exec", "command") ?? []) as string[]).join(" ")}]`;
  else if (probe["httpGet"]) {
    const h = probe["httpGet"] as Json;
    action = `http-get ${String(h["scheme"] ?? "HTTP").toLowerCase()}://${String(h["host"] ?? "")}:${String(h["port"] ?? "")}${String(h["path"] ?? "")}`;
  } else if (probe["tcpSocket"]) action = `tcp-socket ${String(get(probe, "tcpSocket", "host") ?? "")}:${String(get(probe, "tcpSocket", "port") ?? "")}`;
  const n = (k: string, fallback: number) => String(probe[k] ?? fallback);
  return `${action} delay=${n("initialDelaySeconds", 0)}s timeout=${n("timeoutSeconds", 1)}s period=${n("periodSeconds", 10)}s #success=${n("successThreshold", 1)} #failure=${n("failureThreshold", 3)}`;
}

function describeProbes(w: Writer, indent: number, c: Json): void {
  for (const [key, title] of [["livenessProbe", "Liveness"], ["readinessProbe", "Readiness"], ["startupProbe", "Startup"]] as const) {
    if (c[key]) w.field(indent, title, probeText(c[key] as Json));
  }
}

function portsText(c: Json): string {
  const ports = (c["ports"] ?? []) as Json[];
  return ports.length ? ports.map((p) => `${String(p["containerPort"])}/${String(p["protocol"] ?? "TCP")}`).join(", ") : "<none>";
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
    describeProbes(w, 4, c);
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

/** The `Pod Template:` section of a workload, as kubectl prints it. */
function describePodTemplate(w: Writer, template: Json | undefined): void {
  w.line("Pod Template:");
  w.map(2, "Labels", get(template, "metadata", "labels"));
  const annotations = get(template, "metadata", "annotations");
  if (annotations && Object.keys(annotations).length) w.map(2, "Annotations", annotations);
  w.line("  Containers:");
  for (const c of (get(template, "spec", "containers") ?? []) as Json[]) {
    w.line(`   ${String(c["name"])}:`);
    w.field(4, "Image", c["image"]);
    w.field(4, "Port", portsText(c));
    if ((c["command"] as string[] | undefined)?.length) w.field(4, "Command", (c["command"] as string[]).join(" "));
    if ((c["args"] as string[] | undefined)?.length) w.field(4, "Args", (c["args"] as string[]).join(" "));
    const req = get(c, "resources", "requests") as Json | undefined;
    if (req && Object.keys(req).length) w.map(4, "Requests", req);
    const limits = get(c, "resources", "limits") as Json | undefined;
    if (limits && Object.keys(limits).length) w.map(4, "Limits", limits);
    describeProbes(w, 4, c);
    const env = (c["env"] ?? []) as Json[];
    w.field(4, "Environment", env.length ? env.map((e) => `${String(e["name"])}=${String(e["value"] ?? "")}`).join(", ") : "<none>");
    const mounts = (c["volumeMounts"] ?? []) as Json[];
    w.field(4, "Mounts", mounts.length ? mounts.map((m) => `${String(m["mountPath"])} from ${String(m["name"])} (${m["readOnly"] ? "ro" : "rw"})`).join(", ") : "<none>");
  }
  const volumes = (get(template, "spec", "volumes") ?? []) as Json[];
  w.field(2, "Volumes", volumes.length ? volumes.map((v) => `${String(v["name"])} (${v["hostPath"] ? "HostPath" : "EmptyDir"})`).join(", ") : "<none>");
}

/** A pod template as the `Pod Template:` section of describe prints it; `rollout history --revision` shows it too. */
export function podTemplateText(template: Json | undefined): string {
  const w = new Writer();
  describePodTemplate(w, template);
  return w.toString();
}

function describeConditions(w: Writer, o: Json): void {
  const conditions = (get(o, "status", "conditions") ?? []) as Json[];
  if (!conditions.length) return;
  w.line("Conditions:");
  const rows = conditions.map((c) => [String(c["type"]), String(c["status"]), String(c["reason"] ?? "")]);
  for (const line of formatTable(["Type", "Status", "Reason"], [["----", "------", "------"], ...rows]).split("\n")) w.line(`  ${line}`);
}

function describeWorkloadHeader(w: Writer, o: Json, selector: string): void {
  const meta = o["metadata"] as Json;
  w.field(0, "Name", meta["name"]);
  w.field(0, "Namespace", meta["namespace"]);
  w.field(0, "CreationTimestamp", meta["creationTimestamp"]);
  w.field(0, "Selector", selector);
  w.map(0, "Labels", meta["labels"]);
  w.map(0, "Annotations", meta["annotations"]);
  const owner = ((meta["ownerReferences"] ?? []) as Json[]).find((r) => r["controller"] === true);
  if (owner) w.field(0, "Controlled By", `${String(owner["kind"])}/${String(owner["name"])}`);
}

const isControlledBy = (o: Json, uid: unknown): boolean =>
  ((get(o, "metadata", "ownerReferences") ?? []) as Json[]).some((r) => r["controller"] === true && r["uid"] === uid);

/** Objects of `kind` in the owner's namespace that its selector selects and it controls. */
async function controlledBy(client: CapstanClient, owner: Json, kind: string, selector: string): Promise<Json[]> {
  if (selector === "<none>" || selector === "<error>") return [];
  const list = await client.list({ kind, namespace: String(get(owner, "metadata", "namespace") ?? ""), labelSelector: selector });
  return list.items.map((o) => fromApiObject(o).json).filter((o) => isControlledBy(o, get(owner, "metadata", "uid")));
}

async function describeReplicas(w: Writer, client: CapstanClient, o: Json, selector: string): Promise<void> {
  describeWorkloadHeader(w, o, selector);
  w.field(0, "Replicas", `${String(get(o, "status", "replicas") ?? 0)} current / ${String(get(o, "spec", "replicas") ?? 0)} desired`);
  const phases = (await controlledBy(client, o, "Pod", selector)).map((p) => get(p, "status", "phase"));
  const n = (phase: string) => phases.filter((p) => p === phase).length;
  w.field(0, "Pods Status", `${n("Running")} Running / ${n("Pending")} Waiting / ${n("Succeeded")} Succeeded / ${n("Failed")} Failed`);
  describePodTemplate(w, get(o, "spec", "template") as Json | undefined);
  describeConditions(w, o);
}

/** A ReplicaSet's template with the label its Deployment adds, for comparing with the Deployment's. */
function templateWithoutHash(rs: Json): unknown {
  const template = (get(rs, "spec", "template") ?? {}) as Json;
  const labels = { ...((get(template, "metadata", "labels") ?? {}) as Json) };
  delete labels["pod-template-hash"];
  const metadata: Json = { ...((template["metadata"] ?? {}) as Json), labels };
  if (Object.keys(labels).length === 0) delete metadata["labels"];
  return { ...template, metadata };
}

async function describeDeployment(w: Writer, client: CapstanClient, d: Json): Promise<void> {
  const selector = selectorText(get(d, "spec", "selector"));
  describeWorkloadHeader(w, d, selector);
  const status = (d["status"] ?? {}) as Json;
  const count = (k: string) => String(status[k] ?? 0);
  w.field(0, "Replicas", `${String(get(d, "spec", "replicas") ?? 0)} desired | ${count("updatedReplicas")} updated | ${count("replicas")} total | ${count("availableReplicas")} available | ${count("unavailableReplicas")} unavailable`);
  const strategy = String(get(d, "spec", "strategy", "type") ?? "");
  w.field(0, "StrategyType", strategy);
  w.field(0, "MinReadySeconds", String(get(d, "spec", "minReadySeconds") ?? 0));
  if (strategy === "RollingUpdate") {
    const ru = (get(d, "spec", "strategy", "rollingUpdate") ?? {}) as Json;
    w.field(0, "RollingUpdateStrategy", `${String(ru["maxUnavailable"] ?? "")} max unavailable, ${String(ru["maxSurge"] ?? "")} max surge`);
  }
  const template = get(d, "spec", "template") as Json | undefined;
  describePodTemplate(w, template);
  describeConditions(w, d);
  const replicaSets = await controlledBy(client, d, "ReplicaSet", selector);
  const shown = (rs: Json) => `${String(get(rs, "metadata", "name"))} (${String(get(rs, "status", "replicas") ?? 0)}/${String(get(rs, "spec", "replicas") ?? 0)} replicas created)`;
  const isNew = (rs: Json) => isDeepStrictEqual(templateWithoutHash(rs), templateWithoutHash({ spec: { template } }));
  const newRS = replicaSets.find(isNew);
  const old = replicaSets.filter((rs) => rs !== newRS);
  w.field(0, "OldReplicaSets", old.length ? old.map(shown).join(", ") : "<none>");
  w.field(0, "NewReplicaSet", newRS ? shown(newRS) : "<none>");
}

/** The Endpoints of a service (same name), as describe's Endpoints line shows them; <none> when there are none yet. */
async function serviceEndpoints(client: CapstanClient, svc: Json): Promise<string> {
  try {
    const ep = await client.get({ kind: "Endpoints", namespace: String(get(svc, "metadata", "namespace") ?? ""), name: String(get(svc, "metadata", "name")) });
    return endpointsText(fromApiObject(ep).json);
  } catch (e) {
    if (isCapstanError(e, "NotFound")) return "<none>";
    throw e;
  }
}

/** kubectl describe service: addresses, then each port with its target and node port, then the endpoints. */
export function describeServiceText(svc: Json, endpoints: string): string {
  const w = new Writer();
  const meta = svc["metadata"] as Json;
  const spec = (svc["spec"] ?? {}) as Json;
  w.field(0, "Name", meta["name"]);
  w.field(0, "Namespace", meta["namespace"]);
  w.map(0, "Labels", meta["labels"]);
  w.map(0, "Annotations", meta["annotations"]);
  w.field(0, "Selector", mapSelectorText(spec["selector"]));
  w.field(0, "Type", spec["type"]);
  if (spec["ipFamilyPolicy"]) w.field(0, "IP Family Policy", spec["ipFamilyPolicy"]);
  if (Array.isArray(spec["ipFamilies"])) w.field(0, "IP Families", spec["ipFamilies"].join(","));
  w.field(0, "IP", spec["clusterIP"]);
  if (Array.isArray(spec["clusterIPs"])) w.field(0, "IPs", spec["clusterIPs"].join(","));
  if (Array.isArray(spec["externalIPs"]) && spec["externalIPs"].length) w.field(0, "External IPs", spec["externalIPs"].join(","));
  if (spec["type"] === "ExternalName") w.field(0, "External Name", spec["externalName"]);
  const ingress = ((get(svc, "status", "loadBalancer", "ingress") ?? []) as Json[]).map((i) => String(i["ip"] || i["hostname"] || ""));
  if (spec["type"] === "LoadBalancer") w.field(0, "LoadBalancer Ingress", ingress.join(", "));
  const ports = (spec["ports"] ?? []) as Json[];
  for (const port of ports) {
    const name = port["name"] ? String(port["name"]) : "<unset>";
    const protocol = String(port["protocol"] ?? "TCP");
    w.field(0, "Port", `${name}  ${String(port["port"])}/${protocol}`);
    const target = port["targetPort"];
    w.field(0, "TargetPort", typeof target === "number" ? `${target}/${protocol}` : String(target ?? ""));
    if (port["nodePort"]) w.field(0, "NodePort", `${name}  ${String(port["nodePort"])}/${protocol}`);
    w.field(0, "Endpoints", endpoints);
  }
  if (ports.length === 0) w.field(0, "Endpoints", endpoints);
  w.field(0, "Session Affinity", spec["sessionAffinity"]);
  if (spec["externalTrafficPolicy"]) w.field(0, "External Traffic Policy", spec["externalTrafficPolicy"]);
  if (spec["internalTrafficPolicy"]) w.field(0, "Internal Traffic Policy", spec["internalTrafficPolicy"]);
  return w.toString();
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
    else if (kind === "Deployment") await describeDeployment(w, client, o);
    else if (kind === "ReplicaSet") await describeReplicas(w, client, o, selectorText(get(o, "spec", "selector")));
    else if (kind === "ReplicationController") await describeReplicas(w, client, o, mapSelectorText(get(o, "spec", "selector")));
    else if (kind === "Service") w.line(describeServiceText(o, await serviceEndpoints(client, o)));
    else describeGeneric(w, o);
    if (kind !== "Event") await describeEvents(w, client, o);
    texts.push(w.toString());
  }
  console.log(texts.join("\n\n\n"));
}
