import {
  createServiceAllocator,
  DEFAULT_LOAD_BALANCER_ADDRESS,
  DEFAULT_NODE_PORT_RANGE,
  DEFAULT_SERVICE_CIDR,
  DEFAULT_TOLERATION_SECONDS,
  type ServiceAllocationConfig,
} from "@capstan/api";

/** The gateway's settings, from the environment, with defaults for the local stack. */
export interface GatewayConfig {
  /** host:port the gRPC API listens on. */
  readonly listen: string;
  /** host:port the Kubernetes HTTP API (what kubectl speaks) listens on; port 0 picks a free one. */
  readonly kubeApiListen: string;
  /** Postgres; unset → embedded PGlite in dataDir. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string | undefined;
  readonly natsUrl: string;
  readonly prefix: string;
  /** The largest object a write may leave; unset → what the bus carries (NATS' max_payload minus the envelope). */
  readonly maxObjectBytes: number | undefined;
  readonly maxEvents: number | undefined;
  /** tolerationSeconds of the not-ready and unreachable tolerations every pod gets. */
  readonly defaultTolerationSeconds: number;
  /** Where Services' cluster IPs and node ports come from, and a LoadBalancer's ingress address. */
  readonly serviceAllocation: ServiceAllocationConfig;
  /** How many of the latest revisions `compact-log` keeps whole when it names no revision; unset: it must name one. */
  readonly logRetainRevisions: number | undefined;
  /** The apiserver's --min-request-timeout: a Kubernetes API watch naming no timeoutSeconds lasts 1 to 2 times this. */
  readonly kubeMinRequestTimeoutSeconds: number;
}

/** kube-apiserver's default --min-request-timeout. */
const DEFAULT_MIN_REQUEST_TIMEOUT_SECONDS = 1800;

function intFrom(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name}: Invalid value "${raw}": must be a non-negative integer`);
  return n;
}

export function loadConfig(): GatewayConfig {
  const env = process.env;
  return {
    listen: env["CAPSTAN_GATEWAY_LISTEN"] ?? "127.0.0.1:7470",
    kubeApiListen: env["CAPSTAN_KUBE_API_LISTEN"] ?? "127.0.0.1:7471",
    databaseUrl: env["DATABASE_URL"] || undefined,
    dataDir: env["CAPSTAN_DATA_DIR"] ? `${env["CAPSTAN_DATA_DIR"]}/pglite` : undefined,
    natsUrl: env["NATS_URL"] ?? "nats://127.0.0.1:4222",
    prefix: env["CAPSTAN_PREFIX"] ?? "capstan",
    maxObjectBytes: intFrom("CAPSTAN_MAX_OBJECT_BYTES"),
    maxEvents: intFrom("CAPSTAN_STREAM_MAX_EVENTS"),
    defaultTolerationSeconds: intFrom("CAPSTAN_DEFAULT_TOLERATION_SECONDS") ?? DEFAULT_TOLERATION_SECONDS,
    serviceAllocation: serviceAllocationFrom(env),
    logRetainRevisions: intFrom("CAPSTAN_LOG_RETAIN_REVISIONS"),
    kubeMinRequestTimeoutSeconds: intFrom("CAPSTAN_KUBE_MIN_REQUEST_TIMEOUT") ?? DEFAULT_MIN_REQUEST_TIMEOUT_SECONDS,
  };
}

/** Checked at start-up, so a malformed range stops the gateway rather than the first Service create. */
function serviceAllocationFrom(env: NodeJS.ProcessEnv): ServiceAllocationConfig {
  const config: ServiceAllocationConfig = {
    serviceCIDR: env["CAPSTAN_SERVICE_CIDR"] || DEFAULT_SERVICE_CIDR,
    nodePortRange: env["CAPSTAN_NODE_PORT_RANGE"] || DEFAULT_NODE_PORT_RANGE,
    loadBalancerAddress: env["CAPSTAN_LOAD_BALANCER_ADDRESS"] || DEFAULT_LOAD_BALANCER_ADDRESS,
  };
  createServiceAllocator(config);
  return config;
}
