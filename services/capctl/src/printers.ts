import { kindInfo, labelSelectorToString, LabelSelector } from "@capstan/api";
import { age } from "@capstan/apimachinery";

export type Json = Record<string, unknown>;

const get = (o: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Json)[k] : undefined), o);
const str = (v: unknown, fallback = "<none>") => (typeof v === "string" && v ? v : fallback);

interface ContainerStatus {
  ready?: boolean;
  restartCount?: number;
  lastState?: { terminated?: { finishedAt?: string } };
  state?: { waiting?: { reason?: string }; terminated?: { reason?: string; exitCode?: number; signal?: number } };
}

/** The STATUS column as kubectl computes it: the most telling container reason, else the phase. */
export function podStatusText(pod: Json): string {
  if (get(pod, "metadata", "deletionTimestamp")) return "Terminating";
  let reason = str(get(pod, "status", "reason"), "") || str(get(pod, "status", "phase"), "Pending");
  const statuses = (get(pod, "status", "containerStatuses") ?? []) as ContainerStatus[];
  for (const c of statuses) {
    const waiting = c.state?.waiting?.reason;
    const terminated = c.state?.terminated;
    if (waiting && waiting !== "") reason = waiting;
    else if (terminated) reason = terminated.reason || (terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`);
  }
  if (reason === "Pending" && get(pod, "spec", "nodeName") && statuses.length === 0) return "ContainerCreating";
  return reason;
}

interface Printer {
  headers: string[];
  wideHeaders: string[];
  row(o: Json, now: number): string[];
  wide(o: Json): string[];
}

/** How kubectl names a kind in messages and `-o name`: `pod`, `deployment.apps`. */
export function qualifiedResource(kind: string): string {
  const info = kindInfo(kind);
  return info.group ? `${info.singular}.${info.group}` : info.singular;
}

/** A workload's selector as kubectl shows it: `app=web,tier in (a,b)`, or <none>. */
export function selectorText(selector: unknown): string {
  if (selector === undefined || selector === null || typeof selector !== "object") return "<none>";
  try {
    return labelSelectorToString(LabelSelector.fromJSON(selector)) || "<none>";
  } catch {
    // As kubectl's FormatLabelSelector: one unreadable selector must not hide the rest of the table.
    return "<error>";
  }
}

/** A map selector (a ReplicationController's) as kubectl shows it. */
export function mapSelectorText(selector: unknown): string {
  const entries = Object.entries((selector ?? {}) as Record<string, string>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(",") : "<none>";
}

const count = (v: unknown): number => (typeof v === "number" ? v : 0);

/** CONTAINERS and IMAGES of a workload's pod template, comma-separated as kubectl -o wide prints them. */
function templateContainers(o: Json): [string, string] {
  const containers = (get(o, "spec", "template", "spec", "containers") ?? []) as Json[];
  return [containers.map((c) => str(c["name"], "")).join(",") || "<none>", containers.map((c) => str(c["image"], "")).join(",") || "<none>"];
}

const replicaCounts: Printer = {
  headers: ["NAME", "DESIRED", "CURRENT", "READY", "AGE"],
  wideHeaders: ["CONTAINERS", "IMAGES", "SELECTOR"],
  row: (o, now) => [
    str(get(o, "metadata", "name")),
    String(count(get(o, "spec", "replicas"))),
    String(count(get(o, "status", "replicas"))),
    String(count(get(o, "status", "readyReplicas"))),
    age(get(o, "metadata", "creationTimestamp"), now),
  ],
  wide: (o) => [...templateContainers(o), selectorText(get(o, "spec", "selector"))],
};

/** RESTARTS as kubectl shows it: the count, and how long ago the latest restart was ("3 (42s ago)"). */
function restartsText(statuses: readonly ContainerStatus[], now: number): string {
  const restarts = statuses.reduce((n, c) => n + (c.restartCount ?? 0), 0);
  const finished = statuses.map((c) => c.lastState?.terminated?.finishedAt).filter((t): t is string => !!t).sort();
  const latest = finished.at(-1);
  return restarts > 0 && latest ? `${restarts} (${age(latest, now)} ago)` : String(restarts);
}

/** At most three items, then how many more, as kubectl lists endpoints: `a,b,c + 2 more...`. */
function listWithMore(items: readonly string[], empty: string): string {
  const max = 3;
  if (items.length === 0) return empty;
  const shown = items.slice(0, max).join(",");
  return items.length > max ? `${shown} + ${items.length - max} more...` : shown;
}

/** PORT(S) of a service: `80/TCP`, or `80:30080/TCP` with a node port. */
export function servicePortsText(svc: Json): string {
  const ports = (get(svc, "spec", "ports") ?? []) as Json[];
  const text = ports.map((p) => {
    const protocol = str(p["protocol"], "TCP");
    return p["nodePort"] ? `${String(p["port"])}:${String(p["nodePort"])}/${protocol}` : `${String(p["port"])}/${protocol}`;
  });
  return text.join(",") || "<none>";
}

/** EXTERNAL-IP as kubectl computes it: the load balancer's ingress (or <pending>), externalIPs, an ExternalName's name. */
export function serviceExternalIPText(svc: Json): string {
  const externalIPs = (get(svc, "spec", "externalIPs") ?? []) as string[];
  switch (get(svc, "spec", "type")) {
    case "ClusterIP":
    case "NodePort":
    case undefined:
      return externalIPs.join(",") || "<none>";
    case "LoadBalancer": {
      const ingress = ((get(svc, "status", "loadBalancer", "ingress") ?? []) as Json[]).map((i) => str(i["ip"], "") || str(i["hostname"], "")).filter((a) => a !== "");
      return [...ingress, ...externalIPs].join(",") || "<pending>";
    }
    case "ExternalName":
      return str(get(svc, "spec", "externalName"));
    default:
      return "<unknown>";
  }
}

/** ENDPOINTS of an Endpoints object: `ip:port` for every ready address and port (just `ip` without ports). */
export function endpointsText(ep: Json): string {
  const items: string[] = [];
  for (const subset of (ep["subsets"] ?? []) as Json[]) {
    const addresses = ((subset["addresses"] ?? []) as Json[]).map((a) => String(a["ip"]));
    const ports = (subset["ports"] ?? []) as Json[];
    if (ports.length === 0) items.push(...addresses);
    for (const port of ports) items.push(...addresses.map((ip) => (ip.includes(":") ? `[${ip}]:${String(port["port"])}` : `${ip}:${String(port["port"])}`)));
  }
  return listWithMore(items, "<none>");
}

/** kubectl's GetAccessModesAsString: RWO, ROX, RWX, RWOP in that order, whatever order they were written in. */
export function accessModesText(modes: unknown): string {
  const list = Array.isArray(modes) ? modes : [];
  const abbreviations: Array<[string, string]> = [
    ["ReadWriteOnce", "RWO"],
    ["ReadOnlyMany", "ROX"],
    ["ReadWriteMany", "RWX"],
    ["ReadWriteOncePod", "RWOP"],
  ];
  return abbreviations
    .filter(([mode]) => list.includes(mode))
    .map(([, short]) => short)
    .join(",");
}

const printers: Record<string, Printer> = {
  PersistentVolume: {
    headers: ["NAME", "CAPACITY", "ACCESS MODES", "RECLAIM POLICY", "STATUS", "CLAIM", "STORAGECLASS", "AGE"],
    wideHeaders: ["VOLUMEMODE"],
    row(pv, now) {
      const claimRef = get(pv, "spec", "claimRef");
      const claim = claimRef ? `${str(get(claimRef, "namespace"), "")}/${str(get(claimRef, "name"), "")}` : "";
      return [
        str(get(pv, "metadata", "name")),
        str(get(pv, "spec", "capacity", "storage"), ""),
        accessModesText(get(pv, "spec", "accessModes")),
        str(get(pv, "spec", "persistentVolumeReclaimPolicy"), ""),
        str(get(pv, "status", "phase"), ""),
        claim,
        str(get(pv, "spec", "storageClassName"), ""),
        age(get(pv, "metadata", "creationTimestamp"), now),
      ];
    },
    wide: (pv) => [str(get(pv, "spec", "volumeMode"))],
  },
  PersistentVolumeClaim: {
    headers: ["NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS", "AGE"],
    wideHeaders: ["VOLUMEMODE"],
    row(pvc, now) {
      // As kubectl: capacity and access modes are the bound volume's, so an unbound claim shows none.
      const bound = str(get(pvc, "spec", "volumeName"), "") !== "";
      return [
        str(get(pvc, "metadata", "name")),
        str(get(pvc, "status", "phase"), ""),
        str(get(pvc, "spec", "volumeName"), ""),
        bound ? str(get(pvc, "status", "capacity", "storage"), "") : "",
        bound ? accessModesText(get(pvc, "status", "accessModes")) : "",
        str(get(pvc, "spec", "storageClassName"), ""),
        age(get(pvc, "metadata", "creationTimestamp"), now),
      ];
    },
    wide: (pvc) => [str(get(pvc, "spec", "volumeMode"))],
  },
  Service: {
    headers: ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"],
    wideHeaders: ["SELECTOR"],
    row: (svc, now) => [
      str(get(svc, "metadata", "name")),
      str(get(svc, "spec", "type"), "ClusterIP"),
      str(get(svc, "spec", "clusterIP")),
      serviceExternalIPText(svc),
      servicePortsText(svc),
      age(get(svc, "metadata", "creationTimestamp"), now),
    ],
    wide: (svc) => [mapSelectorText(get(svc, "spec", "selector"))],
  },
  Endpoints: {
    headers: ["NAME", "ENDPOINTS", "AGE"],
    wideHeaders: [],
    row: (ep, now) => [str(get(ep, "metadata", "name")), endpointsText(ep), age(get(ep, "metadata", "creationTimestamp"), now)],
    wide: () => [],
  },
  EndpointSlice: {
    headers: ["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"],
    wideHeaders: [],
    row(slice, now) {
      const ports = ((slice["ports"] ?? []) as Json[]).map((p) => (typeof p["port"] === "number" ? String(p["port"]) : str(p["name"], "*")));
      const addresses = ((slice["endpoints"] ?? []) as Json[]).flatMap((e) => (e["addresses"] ?? []) as string[]);
      return [str(get(slice, "metadata", "name")), str(slice["addressType"]), listWithMore(ports, "<unset>"), listWithMore(addresses, "<unset>"), age(get(slice, "metadata", "creationTimestamp"), now)];
    },
    wide: () => [],
  },
  PriorityClass: {
    headers: ["NAME", "VALUE", "GLOBAL-DEFAULT", "AGE"],
    wideHeaders: ["PREEMPTIONPOLICY"],
    row: (pc, now) => [str(get(pc, "metadata", "name")), String(pc["value"] ?? 0), String(pc["globalDefault"] === true), age(get(pc, "metadata", "creationTimestamp"), now)],
    wide: (pc) => [str(pc["preemptionPolicy"])],
  },
  Pod: {
    headers: ["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
    wideHeaders: ["IP", "NODE"],
    row(pod, now) {
      const statuses = (get(pod, "status", "containerStatuses") ?? []) as ContainerStatus[];
      const total = ((get(pod, "spec", "containers") ?? []) as unknown[]).length;
      const ready = statuses.filter((c) => c.ready).length;
      return [str(get(pod, "metadata", "name")), `${ready}/${total}`, podStatusText(pod), restartsText(statuses, now), age(get(pod, "metadata", "creationTimestamp"), now)];
    },
    wide: (pod) => [str(get(pod, "status", "podIP")), str(get(pod, "spec", "nodeName"))],
  },
  Node: {
    headers: ["NAME", "STATUS", "ROLES", "AGE", "VERSION"],
    wideHeaders: ["INTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"],
    row(node, now) {
      const ready = ((get(node, "status", "conditions") ?? []) as Json[]).find((c) => c["type"] === "Ready");
      // As kubectl: any Ready status but True (False or Unknown) is NotReady; no Ready condition at all is Unknown.
      let status = ready === undefined ? "Unknown" : ready["status"] === "True" ? "Ready" : "NotReady";
      if (get(node, "spec", "unschedulable") === true) status += ",SchedulingDisabled";
      const roles = Object.keys((get(node, "metadata", "labels") ?? {}) as Json)
        .filter((l) => l.startsWith("node-role.kubernetes.io/"))
        .map((l) => l.slice("node-role.kubernetes.io/".length));
      return [str(get(node, "metadata", "name")), status, roles.join(",") || "<none>", age(get(node, "metadata", "creationTimestamp"), now), str(get(node, "status", "nodeInfo", "kubeletVersion"))];
    },
    wide(node) {
      const ip = ((get(node, "status", "addresses") ?? []) as Json[]).find((a) => a["type"] === "InternalIP")?.["address"];
      return [str(ip), str(get(node, "status", "nodeInfo", "osImage")), str(get(node, "status", "nodeInfo", "kernelVersion")), str(get(node, "status", "nodeInfo", "containerRuntimeVersion"))];
    },
  },
  Deployment: {
    headers: ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"],
    wideHeaders: ["CONTAINERS", "IMAGES", "SELECTOR"],
    row: (d, now) => [
      str(get(d, "metadata", "name")),
      `${count(get(d, "status", "readyReplicas"))}/${count(get(d, "spec", "replicas"))}`,
      String(count(get(d, "status", "updatedReplicas"))),
      String(count(get(d, "status", "availableReplicas"))),
      age(get(d, "metadata", "creationTimestamp"), now),
    ],
    wide: (d) => [...templateContainers(d), selectorText(get(d, "spec", "selector"))],
  },
  ReplicaSet: replicaCounts,
  ReplicationController: { ...replicaCounts, wide: (rc) => [...templateContainers(rc), mapSelectorText(get(rc, "spec", "selector"))] },
  Namespace: {
    headers: ["NAME", "STATUS", "AGE"],
    wideHeaders: [],
    row: (ns, now) => [str(get(ns, "metadata", "name")), str(get(ns, "status", "phase"), "Active"), age(get(ns, "metadata", "creationTimestamp"), now)],
    wide: () => [],
  },
  Event: {
    headers: ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"],
    wideHeaders: [],
    row(ev, now) {
      const obj = `${String(get(ev, "involvedObject", "kind")).toLowerCase()}/${str(get(ev, "involvedObject", "name"))}`;
      return [age(get(ev, "lastTimestamp") ?? get(ev, "metadata", "creationTimestamp"), now), str(get(ev, "type")), str(get(ev, "reason")), obj, str(get(ev, "message"), "")];
    },
    wide: () => [],
  },
};

export interface TableOptions {
  readonly wide: boolean;
  readonly withNamespace: boolean;
  readonly now?: number;
}

export function tableColumns(kind: string, opts: TableOptions): string[] {
  const p = printers[kind];
  if (!p) return ["NAME", "AGE"];
  return [...(opts.withNamespace ? ["NAMESPACE"] : []), ...p.headers, ...(opts.wide ? p.wideHeaders : [])];
}

export function tableRow(kind: string, o: Json, opts: TableOptions): string[] {
  const p = printers[kind];
  const now = opts.now ?? Date.now();
  const cells = p ? [...p.row(o, now), ...(opts.wide ? p.wide(o) : [])] : [str(get(o, "metadata", "name")), age(get(o, "metadata", "creationTimestamp"), now)];
  return [...(opts.withNamespace ? [str(get(o, "metadata", "namespace"), "")] : []), ...cells];
}

/** Events sort by when they last happened, as kubectl shows them. */
export function sortForDisplay(kind: string, items: Json[]): Json[] {
  if (kind !== "Event") return items;
  return [...items].sort((a, b) => String(get(a, "lastTimestamp")).localeCompare(String(get(b, "lastTimestamp"))));
}
