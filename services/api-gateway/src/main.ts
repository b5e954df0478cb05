import { JetStreamBus } from "@capstan/bus";
import { openEventStore } from "@capstan/eventstore";
import { apiRequestDuration, initTelemetry } from "@capstan/telemetry";
import { loadConfig } from "./config.js";
import { createGatewayServer, listen } from "./grpc-server.js";
import { ensureSystemNamespaces } from "./system-namespaces.js";
import { ObjectService } from "./object-service.js";
import { OutboxRelay } from "./outbox-relay.js";

const log = (message: string) => console.log(message);

async function main(): Promise<void> {
  const config = loadConfig();
  const telemetry = initTelemetry("api-gateway");
  const store = await openEventStore({
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    ...(config.dataDir ? { dataDir: config.dataDir } : {}),
  });
  const bus = await JetStreamBus.connect({
    url: config.natsUrl,
    prefix: config.prefix,
    name: "api-gateway",
    owner: true,
    ...(config.maxEvents !== undefined ? { maxEvents: config.maxEvents } : {}),
  });
  const relay = new OutboxRelay(store, bus, log);
  relay.start();
  const service = new ObjectService(store, bus, () => relay.wake(), {
    maxObjectBytes: config.maxObjectBytes,
    defaulting: { defaultTolerationSeconds: config.defaultTolerationSeconds },
    serviceAllocation: config.serviceAllocation,
  });
  await ensureSystemNamespaces(service);
  const duration = apiRequestDuration(telemetry.meter);
  const server = createGatewayServer(service, {
    tracer: telemetry.tracer,
    recordDuration: (method, code, ms) => duration.record(ms, { "rpc.method": method, "rpc.response.status_code": code }),
    log,
  });
  const port = await listen(server, config.listen);
  log(`serving on ${config.listen.replace(/:\d+$/, `:${port}`)} (store: ${config.databaseUrl ? "postgres" : "embedded pglite"}, prefix ${config.prefix})`);

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    log("shutting down");
    server.forceShutdown();
    await relay.stop();
    await bus.close();
    await store.close();
    await telemetry.shutdown();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown());
  process.on("SIGINT", () => void shutdown());
}

main().catch((e: unknown) => {
  console.error(`api-gateway: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
