import { describe, expect, it } from "vitest";
import { accessModesText, podStatusText, qualifiedResource, selectorText, tableColumns, tableRow } from "./printers.js";
import { formatTable } from "@capstan/api";

const created = "2026-01-01T00:00:00.000Z";
const now = Date.parse(created) + 65_000;

function aPod(status: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    metadata: { name: "web", namespace: "default", creationTimestamp: created, ...extra },
    spec: { nodeName: "node-1", containers: [{ name: "a" }, { name: "b" }] },
    status,
  };
}

describe("pod STATUS column", () => {
  it.each([
    ["running", aPod({ phase: "Running", containerStatuses: [{ ready: true, state: { running: {} } }] }), "Running"],
    ["crash loop", aPod({ phase: "Running", containerStatuses: [{ state: { waiting: { reason: "CrashLoopBackOff" } } }] }), "CrashLoopBackOff"],
    ["completed", aPod({ phase: "Succeeded", containerStatuses: [{ state: { terminated: { reason: "Completed", exitCode: 0 } } }] }), "Completed"],
    ["exit code", aPod({ phase: "Failed", containerStatuses: [{ state: { terminated: { exitCode: 3 } } }] }), "ExitCode:3"],
    ["bound, nothing reported", aPod({ phase: "Pending" }), "ContainerCreating"],
    ["terminating", aPod({ phase: "Running" }, { deletionTimestamp: created }), "Terminating"],
  ])("%s", (_name, pod, want) => {
    expect(podStatusText(pod)).toBe(want);
  });
});

describe("pod table", () => {
  it("prints kubectl's columns, wide adds IP and NODE", () => {
    const pod = aPod({
      phase: "Running",
      podIP: "127.1.0.2",
      containerStatuses: [
        { ready: true, restartCount: 2, state: { running: {} }, lastState: { terminated: { finishedAt: "2026-01-01T00:00:20Z" } } },
        { ready: false, restartCount: 1, state: { running: {} } },
      ],
    });
    const opts = { wide: true, withNamespace: false, now };
    expect(formatTable(tableColumns("Pod", opts), [tableRow("Pod", pod, opts)])).toBe(
      ["NAME   READY   STATUS    RESTARTS      AGE   IP          NODE", "web    1/2     Running   3 (45s ago)   65s   127.1.0.2   node-1"].join("\n"),
    );
  });
});

describe("workload tables", () => {
  const template = {
    metadata: { labels: { app: "web" } },
    spec: { containers: [{ name: "web", image: "nginx:1.27" }, { name: "sidecar", image: "busybox" }] },
  };
  const meta = { name: "web", namespace: "default", creationTimestamp: created };
  const table = (kind: string, o: Record<string, unknown>, wide = false) => {
    const opts = { wide, withNamespace: false, now };
    return formatTable(tableColumns(kind, opts), [tableRow(kind, o, opts)]);
  };

  it("prints a Deployment as kubectl does, wide adds CONTAINERS, IMAGES and SELECTOR", () => {
    const deployment = {
      metadata: meta,
      spec: { replicas: 3, selector: { matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "NotIn", values: ["db"] }] }, template },
      status: { replicas: 4, updatedReplicas: 2, readyReplicas: 3, availableReplicas: 3 },
    };
    expect(table("Deployment", deployment, true)).toBe(
      [
        "NAME   READY   UP-TO-DATE   AVAILABLE   AGE   CONTAINERS    IMAGES               SELECTOR",
        "web    3/3     2            3           65s   web,sidecar   nginx:1.27,busybox   app=web,tier notin (db)",
      ].join("\n"),
    );
  });

  it("prints a new Deployment, without status, as 0/N", () => {
    expect(table("Deployment", { metadata: meta, spec: { replicas: 2, template } })).toBe(
      ["NAME   READY   UP-TO-DATE   AVAILABLE   AGE", "web    0/2     0            0           65s"].join("\n"),
    );
  });

  it.each([
    { kind: "ReplicaSet", selector: { matchLabels: { app: "web", "pod-template-hash": "5d4f" } }, shown: "app=web,pod-template-hash=5d4f" },
    { kind: "ReplicationController", selector: { app: "web" }, shown: "app=web" },
  ])("prints a $kind as NAME DESIRED CURRENT READY AGE", ({ kind, selector, shown }) => {
    const o = { metadata: meta, spec: { replicas: 3, selector, template }, status: { replicas: 3, readyReplicas: 1 } };
    expect(table(kind, o)).toBe(["NAME   DESIRED   CURRENT   READY   AGE", "web    3         3         1       65s"].join("\n"));
    expect(tableRow(kind, o, { wide: true, withNamespace: false, now }).slice(-3)).toEqual(["web,sidecar", "nginx:1.27,busybox", shown]);
  });
});

describe("qualifiedResource and selectorText", () => {
  it.each([
    { kind: "Pod", want: "pod" },
    { kind: "Deployment", want: "deployment.apps" },
    { kind: "ReplicaSet", want: "replicaset.apps" },
    { kind: "ReplicationController", want: "replicationcontroller" },
  ])("$kind → $want", ({ kind, want }) => {
    expect(qualifiedResource(kind)).toBe(want);
  });

  it.each([
    { name: "absent", selector: undefined, want: "<none>" },
    { name: "empty", selector: {}, want: "<none>" },
    { name: "Exists", selector: { matchExpressions: [{ key: "app", operator: "Exists" }] }, want: "app" },
  ])("a selector $name is shown as $want", ({ selector, want }) => {
    expect(selectorText(selector)).toBe(want);
  });
});

describe("service and endpoints tables", () => {
  const meta = (name: string) => ({ name, namespace: "default", creationTimestamp: created });
  const opts = { wide: false, withNamespace: false, now };

  it("prints kubectl's service columns for each type", () => {
    const services = [
      { metadata: meta("web"), spec: { type: "ClusterIP", clusterIP: "10.96.0.2", ports: [{ port: 80, protocol: "TCP" }] } },
      { metadata: meta("np"), spec: { type: "NodePort", clusterIP: "10.96.0.3", ports: [{ port: 80, protocol: "TCP", nodePort: 30080 }, { port: 53, protocol: "UDP", nodePort: 30053 }] } },
      { metadata: meta("lb"), spec: { type: "LoadBalancer", clusterIP: "10.96.0.4", ports: [{ port: 443, protocol: "TCP", nodePort: 30443 }] }, status: { loadBalancer: { ingress: [{ ip: "127.0.0.1" }] } } },
      { metadata: meta("lb-new"), spec: { type: "LoadBalancer", clusterIP: "10.96.0.5", ports: [{ port: 443, protocol: "TCP", nodePort: 30444 }] } },
      { metadata: meta("headless"), spec: { type: "ClusterIP", clusterIP: "None" } },
      { metadata: meta("db"), spec: { type: "ExternalName", externalName: "db.example.com" } },
    ];
    expect(formatTable(tableColumns("Service", opts), services.map((s) => tableRow("Service", s, opts)))).toBe(
      [
        "NAME       TYPE           CLUSTER-IP   EXTERNAL-IP      PORT(S)                     AGE",
        "web        ClusterIP      10.96.0.2    <none>           80/TCP                      65s",
        "np         NodePort       10.96.0.3    <none>           80:30080/TCP,53:30053/UDP   65s",
        "lb         LoadBalancer   10.96.0.4    127.0.0.1        443:30443/TCP               65s",
        "lb-new     LoadBalancer   10.96.0.5    <pending>        443:30444/TCP               65s",
        "headless   ClusterIP      None         <none>           <none>                      65s",
        "db         ExternalName   <none>       db.example.com   <none>                      65s",
      ].join("\n"),
    );
  });

  it("prints endpoints as ip:port, at most three and how many more", () => {
    const addresses = ["127.0.1.1", "127.0.1.2", "127.0.1.3", "127.0.1.4", "127.0.1.5"].map((ip) => ({ ip }));
    const rows = [
      { metadata: meta("web"), subsets: [{ addresses, ports: [{ port: 8080 }] }] },
      { metadata: meta("headless"), subsets: [{ addresses: addresses.slice(0, 1) }] },
      { metadata: meta("empty") },
    ].map((ep) => tableRow("Endpoints", ep, opts));
    expect(formatTable(tableColumns("Endpoints", opts), rows)).toBe(
      [
        "NAME       ENDPOINTS                                                  AGE",
        "web        127.0.1.1:8080,127.0.1.2:8080,127.0.1.3:8080 + 2 more...   65s",
        "headless   127.0.1.1                                                  65s",
        "empty      <none>                                                     65s",
      ].join("\n"),
    );
  });

  it("prints endpoint slices with their address type, ports and addresses", () => {
    const slice = {
      metadata: meta("web-abc12"),
      addressType: "IPv4",
      ports: [{ name: "http", port: 8080, protocol: "TCP" }],
      endpoints: [{ addresses: ["127.0.1.5"] }, { addresses: ["127.0.1.6"] }],
    };
    const empty = { metadata: meta("web-empty"), addressType: "IPv4" };
    expect(formatTable(tableColumns("EndpointSlice", opts), [tableRow("EndpointSlice", slice, opts), tableRow("EndpointSlice", empty, opts)])).toBe(
      [
        "NAME        ADDRESSTYPE   PORTS     ENDPOINTS             AGE",
        "web-abc12   IPv4          8080      127.0.1.5,127.0.1.6   65s",
        "web-empty   IPv4          <unset>   <unset>               65s",
      ].join("\n"),
    );
  });

  it("prints priority classes as kubectl: value and whether it is the global default", () => {
    const high = { metadata: meta("high"), value: 1000, globalDefault: true, preemptionPolicy: "PreemptLowerPriority" };
    const critical = { metadata: meta("system-node-critical"), value: 2000001000 };
    expect(formatTable(tableColumns("PriorityClass", opts), [tableRow("PriorityClass", high, opts), tableRow("PriorityClass", critical, opts)])).toBe(
      [
        "NAME                   VALUE        GLOBAL-DEFAULT   AGE",
        "high                   1000         true             65s",
        "system-node-critical   2000001000   false            65s",
      ].join("\n"),
    );
  });
});

describe("persistent volume tables", () => {
  const opts = { wide: false, withNamespace: false, now };
  const meta = (name: string) => ({ name, creationTimestamp: created });
  it.each([
    { name: "one mode", modes: ["ReadWriteOnce"], text: "RWO" },
    { name: "kubectl's order, not the written one", modes: ["ReadWriteMany", "ReadOnlyMany", "ReadWriteOnce"], text: "RWO,ROX,RWX" },
    { name: "once per pod", modes: ["ReadWriteOncePod"], text: "RWOP" },
    { name: "none", modes: [], text: "" },
  ])("abbreviates access modes: $name", ({ modes, text }) => {
    expect(accessModesText(modes)).toBe(text);
  });

  it("prints volumes and claims as kubectl, bound and not", () => {
    const pv = {
      metadata: meta("pv"),
      spec: { capacity: { storage: "10Gi" }, accessModes: ["ReadWriteOnce"], persistentVolumeReclaimPolicy: "Retain", storageClassName: "ssd", claimRef: { namespace: "default", name: "pvc" } },
      status: { phase: "Bound" },
    };
    const spare = { metadata: meta("spare"), spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteMany"], persistentVolumeReclaimPolicy: "Retain" }, status: { phase: "Available" } };
    expect(formatTable(tableColumns("PersistentVolume", opts), [tableRow("PersistentVolume", pv, opts), tableRow("PersistentVolume", spare, opts)])).toBe(
      [
        "NAME    CAPACITY   ACCESS MODES   RECLAIM POLICY   STATUS      CLAIM         STORAGECLASS   AGE",
        "pv      10Gi       RWO            Retain           Bound       default/pvc   ssd            65s",
        "spare   1Gi        RWX            Retain           Available                                65s",
      ].join("\n"),
    );
    const pvc = {
      metadata: meta("pvc"),
      spec: { accessModes: ["ReadWriteOnce"], storageClassName: "ssd", volumeName: "pv" },
      status: { phase: "Bound", capacity: { storage: "10Gi" }, accessModes: ["ReadWriteOnce"] },
    };
    const pending = { metadata: meta("waiting"), spec: { accessModes: ["ReadWriteOnce"], storageClassName: "ssd" }, status: { phase: "Pending" } };
    expect(formatTable(tableColumns("PersistentVolumeClaim", opts), [tableRow("PersistentVolumeClaim", pvc, opts), tableRow("PersistentVolumeClaim", pending, opts)])).toBe(
      [
        "NAME      STATUS    VOLUME   CAPACITY   ACCESS MODES   STORAGECLASS   AGE",
        "pvc       Bound     pv       10Gi       RWO            ssd            65s",
        "waiting   Pending                                      ssd            65s",
      ].join("\n"),
    );
  });
});

describe("node STATUS column", () => {
  const opts = { wide: false, withNamespace: false, now };
  const aNode = (conditions: Array<Record<string, unknown>>, spec: Record<string, unknown> = {}) => ({
    metadata: { name: "node-1", creationTimestamp: created },
    spec,
    status: { conditions, nodeInfo: { kubeletVersion: "v0.1.0" } },
  });

  it.each([
    { name: "Ready True", node: aNode([{ type: "Ready", status: "True" }]), want: "Ready" },
    { name: "Ready False", node: aNode([{ type: "Ready", status: "False" }]), want: "NotReady" },
    { name: "Ready Unknown (silent node) prints as kubectl does", node: aNode([{ type: "Ready", status: "Unknown" }]), want: "NotReady" },
    { name: "no Ready condition", node: aNode([]), want: "Unknown" },
    { name: "cordoned", node: aNode([{ type: "Ready", status: "True" }], { unschedulable: true }), want: "Ready,SchedulingDisabled" },
  ])("$name → $want", ({ node, want }) => {
    expect(tableRow("Node", node, opts)[1]).toBe(want);
  });
});
