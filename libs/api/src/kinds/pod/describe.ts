/**
 * `capctl describe pod`, and the `Pod Template:` section every workload prints (kubectl's describePod and
 * DescribePodTemplate).
 */
import { formatTable } from "../../printing/table.js";
import { DescribeWriter } from "../../printing/describe-writer.js";
import { itemsAt, NONE, valueAt } from "../../printing/cells.js";
import type { KindDescriber } from "../kind-printer.js";
import { arrayOf, metaOf, objectOf, type JsonObject } from "../../object-view.js";
import { podStatusText } from "./printer.js";
import { splitFieldPath } from "../../downward-api.js";

function containerState(state: JsonObject | undefined): [string, [string, unknown][]] {
  if (state?.["running"]) return ["Running", [["Started", valueAt(state, "running", "startedAt")]]];
  if (state?.["terminated"]) {
    const t = objectOf(state["terminated"]) ?? {};
    return ["Terminated", [["Reason", t["reason"]], ["Exit Code", t["exitCode"] ?? 0], ["Started", t["startedAt"]], ["Finished", t["finishedAt"]]]];
  }
  if (state?.["waiting"]) return ["Waiting", [["Reason", valueAt(state, "waiting", "reason")]]];
  return ["Waiting", [["Reason", "ContainerCreating"]]];
}

/** A probe as kubectl describe prints it: `http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3`. */
export function probeText(probe: JsonObject): string {
  let action = "unknown";
  if (probe["exec"]) action = `exec [${arrayOf<string>(valueAt(probe, "exec", "command")).join(" ")}]`;
  else if (probe["httpGet"]) {
    const h = objectOf(probe["httpGet"]) ?? {};
    action = `http-get ${String(h["scheme"] ?? "HTTP").toLowerCase()}://${String(h["host"] ?? "")}:${String(h["port"] ?? "")}${String(h["path"] ?? "")}`;
  } else if (probe["tcpSocket"]) action = `tcp-socket ${String(valueAt(probe, "tcpSocket", "host") ?? "")}:${String(valueAt(probe, "tcpSocket", "port") ?? "")}`;
  const n = (k: string, fallback: number) => String(probe[k] ?? fallback);
  return `${action} delay=${n("initialDelaySeconds", 0)}s timeout=${n("timeoutSeconds", 1)}s period=${n("periodSeconds", 10)}s #success=${n("successThreshold", 1)} #failure=${n("failureThreshold", 3)}`;
}

function describeProbes(w: DescribeWriter, indent: number, c: JsonObject): void {
  for (const [key, title] of [["livenessProbe", "Liveness"], ["readinessProbe", "Readiness"], ["startupProbe", "Startup"]] as const) {
    const probe = objectOf(c[key]);
    if (probe) w.field(indent, title, probeText(probe));
  }
}

function portsText(c: JsonObject): string {
  const ports = itemsAt(c, "ports");
  return ports.length ? ports.map((p) => `${String(p["containerPort"])}/${String(p["protocol"] ?? "TCP")}`).join(", ") : NONE;
}

/**
 * kubectl's describeContainerEnvFrom and describeContainerEnvVars: each source of envFrom, then each
 * variable, its value or where it comes from; a fieldRef resolved against the pod when there is one.
 */
function describeEnvironment(w: DescribeWriter, indent: number, c: JsonObject, pod: JsonObject | undefined): void {
  const envFrom = itemsAt(c, "envFrom");
  if (envFrom.length) {
    w.line(`${" ".repeat(indent)}Environment Variables from:`);
    for (const e of envFrom) {
      const [from, ref] = e["configMapRef"] ? ["ConfigMap", objectOf(e["configMapRef"])] : ["Secret", objectOf(e["secretRef"])];
      const prefix = e["prefix"] ? ` with prefix '${String(e["prefix"])}'` : "";
      // kubectl writes the name bare, without a colon.
      w.line(`${" ".repeat(indent + 2)}${String(ref?.["name"] ?? "")}  ${from}${prefix}  Optional: ${ref?.["optional"] === true}`);
    }
  }
  const env = itemsAt(c, "env");
  if (env.length === 0) return w.field(indent, "Environment", NONE);
  w.line(`${" ".repeat(indent)}Environment:`);
  for (const e of env) w.field(indent + 2, String(e["name"]), envValueText(e, pod));
}

function envValueText(e: JsonObject, pod: JsonObject | undefined): string {
  const from = objectOf(e["valueFrom"]);
  if (!from) return String(e["value"] ?? "");
  const fieldRef = objectOf(from["fieldRef"]);
  if (fieldRef) {
    const path = String(fieldRef["fieldPath"] ?? "");
    const { path: field, subscript } = splitFieldPath(path);
    const value = pod ? valueAt(pod, ...field.split("."), ...(subscript !== undefined ? [subscript] : [])) : undefined;
    return `${value === undefined ? "" : `${String(value)} `}(${String(fieldRef["apiVersion"] ?? "v1")}:${path})`;
  }
  const resourceRef = objectOf(from["resourceFieldRef"]);
  if (resourceRef) return `(${String(resourceRef["resource"] ?? "")})`;
  for (const [key, words] of [["configMapKeyRef", "of config map"], ["secretKeyRef", "in secret"]] as const) {
    const ref = objectOf(from[key]);
    if (ref) return `<set to the key '${String(ref["key"] ?? "")}' ${words} '${String(ref["name"] ?? "")}'>  Optional: ${ref["optional"] === true}`;
  }
  return "";
}

function mountsText(c: JsonObject): string {
  const mounts = itemsAt(c, "volumeMounts");
  return mounts.length ? mounts.map((m) => `${String(m["mountPath"])} from ${String(m["name"])} (${m["readOnly"] ? "ro" : "rw"})`).join(", ") : NONE;
}

function describeCommand(w: DescribeWriter, indent: number, c: JsonObject): void {
  const [command, args] = [arrayOf<string>(c["command"]), arrayOf<string>(c["args"])];
  if (command.length) w.field(indent, "Command", command.join(" "));
  if (args.length) w.field(indent, "Args", args.join(" "));
}

/** describeContainerResource: a container's limits, then its requests, each only when it has some. */
function describeResources(w: DescribeWriter, indent: number, c: JsonObject): void {
  for (const [title, key] of [
    ["Limits", "limits"],
    ["Requests", "requests"],
  ] as const) {
    const amounts = objectOf(valueAt(c, "resources", key));
    if (amounts && Object.keys(amounts).length) w.quantities(indent, title, amounts);
  }
}

/** The `Init Containers:` or `Containers:` section: each container's spec beside its status. */
function describeContainers(w: DescribeWriter, pod: JsonObject, title: string, containers: readonly JsonObject[], statuses: readonly JsonObject[]): void {
  w.line(title);
  for (const c of containers) {
    const s = statuses.find((x) => x["name"] === c["name"]);
    w.line(`  ${String(c["name"])}:`);
    w.field(4, "Image", c["image"]);
    if (itemsAt(c, "ports").length) w.field(4, "Port", portsText(c));
    describeCommand(w, 4, c);
    const [state, details] = containerState(objectOf(s?.["state"]));
    w.field(4, "State", state);
    for (const [k, v] of details) if (v !== undefined && v !== "") w.field(6, k, v);
    if (valueAt(s, "lastState", "terminated")) {
      const [last, lastDetails] = containerState(objectOf(s?.["lastState"]));
      w.field(4, "Last State", last);
      for (const [k, v] of lastDetails) if (v !== undefined && v !== "") w.field(6, k, v);
    }
    w.field(4, "Ready", s?.["ready"] ? "True" : "False");
    w.field(4, "Restart Count", s?.["restartCount"] ?? 0);
    describeResources(w, 4, c);
    describeProbes(w, 4, c);
    describeEnvironment(w, 4, c, pod);
    w.field(4, "Mounts", mountsText(c));
  }
}

export function describePod(pod: JsonObject): readonly string[] {
  const w = new DescribeWriter();
  const meta = metaOf(pod).json;
  w.field(0, "Name", meta["name"]);
  w.field(0, "Namespace", meta["namespace"]);
  w.field(0, "Node", valueAt(pod, "spec", "nodeName") ? `${String(valueAt(pod, "spec", "nodeName"))}/${String(valueAt(pod, "status", "hostIP") ?? "")}` : NONE);
  w.field(0, "Start Time", valueAt(pod, "status", "startTime"));
  w.map(0, "Labels", meta["labels"]);
  w.annotations(0, meta["annotations"]);
  w.field(0, "Status", podStatusText(pod));
  if (meta["deletionTimestamp"]) w.field(0, "Termination Grace Period", `${String(meta["deletionGracePeriodSeconds"] ?? "")}s`);
  w.field(0, "IP", valueAt(pod, "status", "podIP"));
  const initContainers = itemsAt(pod, "spec", "initContainers");
  if (initContainers.length) describeContainers(w, pod, "Init Containers:", initContainers, itemsAt(pod, "status", "initContainerStatuses"));
  describeContainers(w, pod, "Containers:", itemsAt(pod, "spec", "containers"), itemsAt(pod, "status", "containerStatuses"));
  const conditions = itemsAt(pod, "status", "conditions");
  if (conditions.length) {
    w.line("Conditions:");
    w.block(2, formatTable(["Type", "Status"], conditions.map((c) => [String(c["type"]), String(c["status"])])));
  }
  const volumes = itemsAt(pod, "spec", "volumes");
  w.line(`Volumes:${volumes.length ? "" : `  ${NONE}`}`);
  for (const v of volumes) {
    w.line(`  ${String(v["name"])}:`);
    if (v["emptyDir"]) w.field(4, "Type", "EmptyDir (a temporary directory that shares a pod's lifetime)");
    if (v["hostPath"]) {
      w.field(4, "Type", "HostPath (bare host directory volume)");
      w.field(4, "Path", valueAt(v, "hostPath", "path"));
    }
    describeConfigVolume(w, v);
  }
  w.map(0, "Node-Selectors", valueAt(pod, "spec", "nodeSelector"));
  const tolerations = itemsAt(pod, "spec", "tolerations");
  w.field(0, "Tolerations", tolerations.map((t) => `${String(t["key"] ?? "")}${t["operator"] === "Exists" ? "" : `=${String(t["value"] ?? "")}`}:${String(t["effect"] ?? "")}`).join(", "));
  return w.lines;
}

/** kubectl's printConfigMapVolumeSource, printSecretVolumeSource, printDownwardAPIVolumeSource and printProjectedVolumeSource. */
function describeConfigVolume(w: DescribeWriter, v: JsonObject): void {
  const optional = (ref: JsonObject | undefined) => (ref?.["optional"] === undefined ? "<nil>" : String(ref["optional"]));
  const configMap = objectOf(v["configMap"]);
  if (configMap) {
    w.field(4, "Type", "ConfigMap (a volume populated by a ConfigMap)");
    w.field(4, "Name", configMap["name"]);
    w.field(4, "Optional", configMap["optional"] === true);
  }
  const secret = objectOf(v["secret"]);
  if (secret) {
    w.field(4, "Type", "Secret (a volume populated by a Secret)");
    w.field(4, "SecretName", secret["secretName"]);
    w.field(4, "Optional", secret["optional"] === true);
  }
  const downward = objectOf(v["downwardAPI"]);
  if (downward) {
    w.field(4, "Type", "DownwardAPI (a volume populated by information about the pod)");
    w.line("    Items:");
    for (const item of itemsAt(downward, "items")) {
      const from = valueAt(item, "fieldRef", "fieldPath") ?? valueAt(item, "resourceFieldRef", "resource");
      w.line(`      ${String(from ?? "")} -> ${String(item["path"] ?? "")}`);
    }
  }
  const projected = objectOf(v["projected"]);
  if (projected) {
    w.field(4, "Type", "Projected (a volume that contains injected data from multiple sources)");
    for (const source of itemsAt(projected, "sources")) {
      const [sourceSecret, sourceConfigMap] = [objectOf(source["secret"]), objectOf(source["configMap"])];
      if (sourceSecret) {
        w.field(4, "SecretName", sourceSecret["name"]);
        w.field(4, "SecretOptionalName", optional(sourceSecret));
      } else if (source["downwardAPI"]) {
        w.field(4, "DownwardAPI", "true");
      } else if (sourceConfigMap) {
        w.field(4, "ConfigMapName", sourceConfigMap["name"]);
        w.field(4, "ConfigMapOptional", optional(sourceConfigMap));
      }
    }
  }
}

/** A volume's type as the pod template's one-line Volumes field names it. */
function volumeTypeName(v: JsonObject): string {
  const types: [string, string][] = [
    ["hostPath", "HostPath"],
    ["persistentVolumeClaim", "PersistentVolumeClaim"],
    ["configMap", "ConfigMap"],
    ["secret", "Secret"],
    ["downwardAPI", "DownwardAPI"],
    ["projected", "Projected"],
  ];
  return types.find(([key]) => v[key] !== undefined)?.[1] ?? "EmptyDir";
}

export const podDescriber: KindDescriber = { sections: describePod };

/** The `Pod Template:` section of a workload, as kubectl prints it. */
export function describePodTemplate(w: DescribeWriter, template: JsonObject | undefined): void {
  w.line("Pod Template:");
  w.map(2, "Labels", valueAt(template, "metadata", "labels"));
  const annotations = valueAt(template, "metadata", "annotations");
  if (annotations && Object.keys(annotations).length) w.annotations(2, annotations);
  w.line("  Containers:");
  for (const c of itemsAt(template, "spec", "containers")) {
    w.line(`   ${String(c["name"])}:`);
    w.field(4, "Image", c["image"]);
    w.field(4, "Port", portsText(c));
    describeCommand(w, 4, c);
    describeResources(w, 4, c);
    describeProbes(w, 4, c);
    describeEnvironment(w, 4, c, undefined);
    w.field(4, "Mounts", mountsText(c));
  }
  const volumes = itemsAt(template, "spec", "volumes");
  w.field(2, "Volumes", volumes.length ? volumes.map((v) => `${String(v["name"])} (${volumeTypeName(v)})`).join(", ") : NONE);
}

/** A pod template as the `Pod Template:` section of describe prints it; `rollout history --revision` shows it too. */
export function podTemplateText(template: JsonObject | undefined): string {
  const w = new DescribeWriter();
  describePodTemplate(w, template);
  return w.toString();
}
