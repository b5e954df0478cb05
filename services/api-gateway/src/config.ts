import { DEFAULT_TOLERATION_SECONDS } from "@capstan/api";

/** The gateway's settings, from the environment, with defaults for the local stack. */
export interface GatewayConfig {
  /** host:port the gRPC API listens on. */
  readonly listen: string;
  /** Postgres; unset → embedded PGlite in dataDir. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string | undefined;
  readonly natsUrl: string;
  readonly prefix: string;
  readonly maxObjectBytes: number;
  readonly maxEvents: number | undefined;
  /** tolerationSeconds of the not-ready and unreachable tolerations every pod gets. */
  readonly defaultTolerationSeconds: number;
}

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
    databaseUrl: env["DATABASE_URL"] || undefined,
    dataDir: env["CAPSTAN_DATA_DIR"] ? `${env["CAPSTAN_DATA_DIR"]}/pglite` : undefined,
    natsUrl: env["NATS_URL"] ?? "nats://127.0.0.1:4222",
    prefix: env["CAPSTAN_PREFIX"] ?? "capstan",
    maxObjectBytes: intFrom("CAPSTAN_MAX_OBJECT_BYTES") ?? 1536 * 1024,
    maxEvents: intFrom("CAPSTAN_STREAM_MAX_EVENTS"),
    defaultTolerationSeconds: intFrom("CAPSTAN_DEFAULT_TOLERATION_SECONDS") ?? DEFAULT_TOLERATION_SECONDS,
  };
}
