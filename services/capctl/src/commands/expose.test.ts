import { afterEach, describe, expect, it, vi } from "vitest";
import type { Json } from "../printers.js";
import { aWebDeployment } from "../testing/builders.js";
import { createFakeGateway } from "@capstan/client/testing";
import { expose, serviceFor, type ExposeOptions } from "./expose.js";

afterEach(() => vi.restoreAllMocks());

/** Deployment "web" (app=web) whose container serves 8080/TCP and 9090/UDP as asked. */
function aServingDeployment(ports: Array<{ containerPort: number; protocol?: string }> = [{ containerPort: 8080 }]): Json {
  const d = aWebDeployment();
  d["metadata"] = { ...(d["metadata"] as Json), labels: { app: "web", tier: "front" } };
  const template = (d["spec"] as Json)["template"] as Json;
  ((template["spec"] as Json)["containers"] as Json[])[0]!["ports"] = ports;
  return d;
}

function aPod(labels: Record<string, string>, ports: number[]): Json {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "solo", namespace: "default", ...(Object.keys(labels).length ? { labels } : {}) },
    spec: { containers: [{ name: "c", image: "agnhost", ports: ports.map((containerPort) => ({ containerPort })) }] },
  };
}

const base: ExposeOptions = { namespace: "default" };

describe("serviceFor", () => {
  it.each<{ name: string; object: Json; opts: Partial<ExposeOptions>; spec: Json; metadata?: Json }>([
    {
      name: "a deployment's matchLabels and its labels, --port with --target-port",
      object: aServingDeployment(),
      opts: { port: "80", targetPort: "8080" },
      spec: { ports: [{ port: 80, protocol: "TCP", targetPort: 8080 }], selector: { app: "web" } },
      metadata: { name: "web", labels: { app: "web", tier: "front" } },
    },
    {
      name: "the container port when no --port is given",
      object: aServingDeployment(),
      opts: {},
      spec: { ports: [{ port: 8080, protocol: "TCP", targetPort: 8080 }], selector: { app: "web" } },
    },
    {
      name: "every container port, numbered, with its protocol",
      object: aServingDeployment([{ containerPort: 8080 }, { containerPort: 9090, protocol: "UDP" }]),
      opts: {},
      spec: {
        ports: [
          { name: "port-1", port: 8080, protocol: "TCP", targetPort: 8080 },
          { name: "port-2", port: 9090, protocol: "UDP", targetPort: 9090 },
        ],
        selector: { app: "web" },
      },
    },
    {
      name: "a pod's labels, a named target port, --name, --type and --protocol",
      object: aPod({ run: "solo" }, [9376]),
      opts: { port: "53", targetPort: "dns", name: "solo-dns", type: "NodePort", protocol: "udp" },
      spec: { ports: [{ port: 53, protocol: "UDP", targetPort: "dns" }], selector: { run: "solo" }, type: "NodePort" },
      metadata: { name: "solo-dns", labels: { run: "solo" } },
    },
    {
      name: "--selector instead of the object's",
      object: aServingDeployment(),
      opts: { port: "80", selector: "app=web,track=canary" },
      spec: { ports: [{ port: 80, protocol: "TCP", targetPort: 80 }], selector: { app: "web", track: "canary" } },
    },
    {
      name: "a headless service needs no port",
      object: aPod({ run: "solo" }, []),
      opts: { clusterIP: "None" },
      spec: { selector: { run: "solo" }, clusterIP: "None" },
    },
  ])("$name", ({ object, opts, spec, metadata }) => {
    const svc = serviceFor(object, { ...base, ...opts });
    expect(svc["spec"]).toEqual(spec);
    if (metadata) expect(svc["metadata"]).toEqual(metadata);
  });

  it.each<{ name: string; object: Json; opts: Partial<ExposeOptions>; error: string }>([
    { name: "no port anywhere", object: aPod({ run: "solo" }, []), opts: {}, error: "couldn't find port via --port flag or introspection" },
    { name: "a pod without labels", object: aPod({}, [80]), opts: {}, error: "the pod has no labels and cannot be exposed" },
    {
      name: "a service without a selector",
      object: { apiVersion: "v1", kind: "Service", metadata: { name: "s" }, spec: { ports: [{ port: 80 }] } },
      opts: {},
      error: "the service has no pod selector set",
    },
    {
      name: "matchExpressions",
      object: (() => {
        const d = aServingDeployment();
        ((d["spec"] as Json)["selector"] as Json)["matchExpressions"] = [{ key: "app", operator: "In", values: ["web"] }];
        return d;
      })(),
      opts: {},
      error: "couldn't convert expressions",
    },
    { name: "a bad --type", object: aServingDeployment(), opts: { type: "ExternalName" }, error: 'invalid value "ExternalName" for --type: must be one of ClusterIP, NodePort, LoadBalancer' },
    { name: "a bad --port", object: aServingDeployment(), opts: { port: "http" }, error: 'invalid value "http" for --port: must be a port number between 1 and 65535' },
    { name: "a bad --protocol", object: aServingDeployment(), opts: { port: "80", protocol: "ICMP" }, error: 'invalid value "ICMP" for --protocol' },
    { name: "a bad --selector", object: aServingDeployment(), opts: { port: "80", selector: "app" }, error: "invalid selector format: app" },
  ])("refuses $name", ({ object, opts, error }) => {
    expect(() => serviceFor(object, { ...base, ...opts })).toThrow(error);
  });
});

describe("expose", () => {
  it("creates the service in the namespace and says so", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const gw = await createFakeGateway();
    await gw.apply(aServingDeployment());
    await expose(gw, ["deployment", "web"], { ...base, port: "80", targetPort: "8080" });
    const svc = gw.stored("Service", "web")!;
    expect(svc["spec"]).toMatchObject({ selector: { app: "web" }, ports: [{ port: 80, targetPort: 8080, protocol: "TCP" }] });
    expect(log.mock.calls.map((c) => c[0])).toEqual(["service/web exposed"]);
  });

  it("prints the service with --dry-run=client -o yaml and creates nothing", async () => {
    const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const gw = await createFakeGateway();
    await gw.apply(aServingDeployment());
    await expose(gw, ["deployment/web"], { ...base, port: "80", targetPort: "8080", dryRun: "client", output: "yaml" });
    expect(out.mock.calls.map((c) => String(c[0])).join("")).toBe(
      ["apiVersion: v1", "kind: Service", "metadata:", "  name: web", "  labels:", "    app: web", "    tier: front", "spec:", "  ports:", "    - port: 80", "      protocol: TCP", "      targetPort: 8080", "  selector:", "    app: web", ""].join("\n"),
    );
    expect(gw.stored("Service", "web")).toBeUndefined();
  });

  it.each([
    { name: "a kind that cannot be exposed", args: ["node/n1"], opts: {}, error: "cannot expose a node: only pods, services, replicationcontrollers, deployments and replicasets can be exposed" },
    { name: "two objects", args: ["deployment", "a", "b"], opts: {}, error: "only one resource may be given" },
    { name: "--dry-run=server", args: ["deployment/web"], opts: { dryRun: "server" }, error: "--dry-run=server is not supported; use --dry-run=client" },
    { name: "a missing object", args: ["deployment/nope"], opts: { port: "80" }, error: "not found" },
  ])("refuses $name", async ({ args, opts, error }) => {
    const gw = await createFakeGateway();
    await gw.apply(aServingDeployment());
    await expect(expose(gw, args, { ...base, ...opts })).rejects.toThrow(error);
  });
});
