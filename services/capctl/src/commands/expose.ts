import { stringify } from "yaml";
import { fromApiObject, toApiObject, objectOf, type KindName } from "@capstan/api";
import type { CapstanClient } from "@capstan/client";
import { qualifiedResource, type Json } from "../printers.js";
import { parsePairs, parseSingleResource } from "../resource-args.js";
import { checkWrittenOutput, printWritten } from "../written-object.js";

export type ExposeClient = Pick<CapstanClient, "get" | "create">;

export interface ExposeOptions {
  readonly namespace: string;
  readonly port?: string;
  readonly targetPort?: string;
  readonly protocol?: string;
  /** The Service's name; default the exposed object's. */
  readonly name?: string;
  readonly type?: string;
  /** `k=v,k2=v2`; default the exposed object's selector (a pod's labels). */
  readonly selector?: string;
  /** "None" makes the Service headless. */
  readonly clusterIP?: string;
  readonly dryRun?: string;
  readonly output?: string;
}

const EXPOSABLE = new Set<KindName>(["Pod", "Service", "ReplicationController", "Deployment", "ReplicaSet"]);
const SERVICE_TYPES = ["ClusterIP", "NodePort", "LoadBalancer"];
const PROTOCOLS = ["TCP", "UDP", "SCTP"];
const USAGE = "capctl expose deployment web --port=80 --target-port=8080";

const record = (v: unknown): Json => objectOf(v) ?? {};
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.map(record) : []);

/**
 * The selector a Service for `object` gets (kubectl's MapBasedSelectorForObject): a pod's labels, a
 * service's or replication controller's selector, a workload's matchLabels. A selector kubectl cannot
 * turn into a map is refused as it refuses it.
 */
export function selectorForObject(object: Json): Record<string, string> {
  const kind = String(object["kind"]);
  const spec = record(object["spec"]);
  // Labels and map selectors hold strings only (the gateway validated them).
  const asMap = (v: unknown) => record(v) as Record<string, string>;
  switch (kind) {
    case "Pod": {
      const labels = asMap(record(object["metadata"])["labels"]);
      if (Object.keys(labels).length === 0) throw new Error("the pod has no labels and cannot be exposed");
      return labels;
    }
    case "Service": {
      const selector = asMap(spec["selector"]);
      if (Object.keys(selector).length === 0) throw new Error("the service has no pod selector set");
      return selector;
    }
    case "ReplicationController":
      return asMap(spec["selector"]);
    default: {
      const selector = record(spec["selector"]);
      const expressions = list(selector["matchExpressions"]);
      if (expressions.length > 0) throw new Error(`couldn't convert expressions - "${JSON.stringify(expressions)}" to map-based selector format`);
      return asMap(selector["matchLabels"]);
    }
  }
}

interface ExposedPort {
  port: number;
  protocol: string;
}

/** The ports `object` serves (kubectl's PortsForObject and ProtocolsForObject): its containers' or its own. */
export function portsForObject(object: Json): ExposedPort[] {
  const spec = record(object["spec"]);
  if (object["kind"] === "Service") {
    return list(spec["ports"]).map((p) => ({ port: Number(p["port"]), protocol: String(p["protocol"] ?? "TCP") }));
  }
  const podSpec = object["kind"] === "Pod" ? spec : record(record(spec["template"])["spec"]);
  return list(podSpec["containers"]).flatMap((c) =>
    list(c["ports"]).map((p) => ({ port: Number(p["containerPort"]), protocol: String(p["protocol"] ?? "TCP") })),
  );
}

function parsePort(value: string, flag: string): number {
  const port = Number(value);
  if (!/^[0-9]+$/.test(value) || port < 1 || port > 65535) throw new Error(`invalid value "${value}" for ${flag}: must be a port number between 1 and 65535`);
  return port;
}

/** kubectl's IntOrString for --target-port: a number, or a container port's name. */
function targetPortValue(value: string): number | string {
  return /^[0-9]+$/.test(value) ? parsePort(value, "--target-port") : value;
}

/** The Service kubectl expose would create for `object`, as Kubernetes JSON. */
export function serviceFor(object: Json, opts: ExposeOptions): Json {
  const meta = record(object["metadata"]);
  const selector = opts.selector !== undefined ? Object.fromEntries(parsePairs(opts.selector.split(",").filter(Boolean), "selector", false).set) : selectorForObject(object);
  if (opts.type !== undefined && !SERVICE_TYPES.includes(opts.type)) {
    throw new Error(`invalid value "${opts.type}" for --type: must be one of ${SERVICE_TYPES.join(", ")}`);
  }
  const protocol = opts.protocol?.toUpperCase();
  if (protocol !== undefined && !PROTOCOLS.includes(protocol)) throw new Error(`invalid value "${opts.protocol}" for --protocol: must be one of ${PROTOCOLS.join(", ")}`);
  const headless = opts.clusterIP === "None";

  let ports: ExposedPort[];
  if (opts.port !== undefined) ports = [{ port: parsePort(opts.port, "--port"), protocol: protocol ?? "TCP" }];
  else {
    ports = portsForObject(object);
    if (ports.length === 0 && !headless) throw new Error("couldn't find port via --port flag or introspection");
  }
  const servicePorts = ports.map((p, i) => ({
    // Several ports need names; kubectl numbers them.
    ...(ports.length > 1 ? { name: `port-${i + 1}` } : {}),
    port: p.port,
    protocol: protocol ?? p.protocol,
    targetPort: opts.targetPort !== undefined ? targetPortValue(opts.targetPort) : p.port,
  }));

  const labels = record(meta["labels"]);
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: opts.name ?? String(meta["name"]), ...(Object.keys(labels).length > 0 ? { labels } : {}) },
    spec: {
      ...(servicePorts.length > 0 ? { ports: servicePorts } : {}),
      selector,
      ...(opts.type ? { type: opts.type } : {}),
      ...(opts.clusterIP ? { clusterIP: opts.clusterIP } : {}),
    },
  };
}

/** kubectl expose: a Service selecting the pods of a deployment, replica set, replication controller, pod or service. */
export async function expose(client: ExposeClient, args: string[], opts: ExposeOptions): Promise<void> {
  const dryRun = opts.dryRun ?? "none";
  if (dryRun !== "none" && dryRun !== "client") {
    throw new Error(dryRun === "server" ? "--dry-run=server is not supported; use --dry-run=client" : `Invalid dry-run value (${dryRun}). Must be "none", "server", or "client".`);
  }
  checkWrittenOutput(opts.output);
  const ref = parseSingleResource(args, USAGE);
  if (!EXPOSABLE.has(ref.kind)) {
    throw new Error(`cannot expose a ${qualifiedResource(ref.kind)}: only pods, services, replicationcontrollers, deployments and replicasets can be exposed`);
  }
  const object = fromApiObject(await client.get({ kind: ref.kind, namespace: opts.namespace, name: ref.name })).json;
  const service = serviceFor(object, opts);
  if (dryRun === "client") {
    // Decoding checks the Service as the gateway would read it, so a dry run fails where a create would.
    toApiObject(service);
    printWritten("service", service, opts.output, "exposed (dry run)");
    return;
  }
  const created = fromApiObject(await client.create(toApiObject({ ...service, metadata: { ...record(service["metadata"]), namespace: opts.namespace } }))).json;
  printWritten("service", created, opts.output, "exposed");
}
