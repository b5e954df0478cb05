import { JetStreamBus } from "@capstan/bus";
import { openEventStore } from "@capstan/eventstore";
import { apiRequestDuration, runService } from "@capstan/telemetry";
import { loadConfig } from "./config.js";
import { createGatewayServer, listen } from "./grpc-server.js";
import { ensureSystemNamespaces } from "./system-namespaces.js";
import { ObjectService } from "./object-service.js";
import { ensureSystemPriorityClasses } from "./priority-admission.js";
import { OutboxRelay } from "./outbox-relay.js";

const log = (message: string) => console.log(message);

runService("api-gateway", async ({ telemetry }) => {
  const config = loadConfig();
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
  await ensureSystemPriorityClasses(service);
  const duration = apiRequestDuration(telemetry.meter);
  const server = createGatewayServer(service, {
    tracer: telemetry.tracer,
    recordDuration: (method, code, ms) => duration.record(ms, { "rpc.method": method, "rpc.response.status_code": code }),
    log,
  });
  const port = await listen(server, config.listen);
  log(`serving on ${config.listen.replace(/:\d+$/, `:${port}`)} (store: ${config.databaseUrl ? "postgres" : "embedded pglite"}, prefix ${config.prefix})`);

  return async () => {
    log("shutting down");
    server.forceShutdown();
    await relay.stop();
    await bus.close();
    await store.close();
  };
});
