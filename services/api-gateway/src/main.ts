import { ensureSystemObjects } from "@capstan/api";
import { EVENT_ENVELOPE_BYTES, JetStreamBus } from "@capstan/bus";
import { openEventStore } from "@capstan/eventstore";
import {
  eventLogMetrics,
  httpServerRequestDuration,
  observeCluster,
  rpcServerCallDuration,
  runService,
  watchMetrics,
} from "@capstan/telemetry";
import { clusterCensus } from "./cluster-census.js";
import { loadConfig } from "./config.js";
import { addIntrospection } from "./grpc-introspection.js";
import { createGatewayServer, listen } from "./grpc-server.js";
import { createKubeApiServer, listenKubeApi } from "./kube-api/server.js";
import { ObjectService } from "./object-service.js";
import { OutboxRelay } from "./outbox-relay.js";

const log = (message: string) => console.log(message);

runService("api-gateway", async ({ telemetry }) => {
  const config = loadConfig();
  const bus = await JetStreamBus.connect({
    url: config.natsUrl,
    prefix: config.prefix,
    name: "api-gateway",
    owner: true,
    ...(config.maxEvents !== undefined ? { maxEvents: config.maxEvents } : {}),
  });
  // Every event must fit one NATS message, or the relay could not deliver it to any watcher.
  if (config.maxObjectBytes !== undefined && config.maxObjectBytes > bus.maxObjectBytes) {
    throw new Error(
      `CAPSTAN_MAX_OBJECT_BYTES: Invalid value "${config.maxObjectBytes}": must be at most ${bus.maxObjectBytes} (NATS max_payload ${bus.maxPayload} minus ${EVENT_ENVELOPE_BYTES} for the event envelope); raise max_payload in the NATS server's configuration for larger objects`,
    );
  }
  const maxObjectBytes = config.maxObjectBytes ?? bus.maxObjectBytes;
  // Made before the store, which reports its commits to it, and the relay, whose progress it reads.
  let relay: OutboxRelay | undefined;
  const eventLog = eventLogMetrics(telemetry.meter, () => relay?.lastPublished ?? 0);
  const store = await openEventStore({
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    ...(config.dataDir ? { dataDir: config.dataDir } : {}),
    maxObjectBytes,
    onCommitBatch: (o) => eventLog.commit(o),
  });
  relay = new OutboxRelay(store, bus, log);
  relay.start();
  const service = new ObjectService(store, bus, () => relay.wake(), {
    defaulting: { defaultTolerationSeconds: config.defaultTolerationSeconds },
    serviceAllocation: config.serviceAllocation,
    watchMetrics: watchMetrics(telemetry.meter),
  });
  await ensureSystemObjects(service);
  observeCluster(telemetry.meter, () => clusterCensus(store));
  const rpcDuration = rpcServerCallDuration(telemetry.meter);
  const httpDuration = httpServerRequestDuration(telemetry.meter);
  const instruments = {
    tracer: telemetry.tracer,
    recordCall: rpcDuration.record.bind(rpcDuration),
    recordRequest: httpDuration.record.bind(httpDuration),
    log,
  };
  const server = createGatewayServer(service, instruments);
  const health = addIntrospection(server);
  // The Kubernetes API listens first: "serving on" is the gateway's ready line, so it comes when both answer.
  const kubeApi = createKubeApiServer(service, instruments, { minRequestTimeoutSeconds: config.kubeMinRequestTimeoutSeconds });
  const kubePort = await listenKubeApi(kubeApi, config.kubeApiListen);
  log(`serving the Kubernetes API on http://${config.kubeApiListen.replace(/:\d+$/, `:${kubePort}`)}`);
  const port = await listen(server, config.listen);
  log(`serving on ${config.listen.replace(/:\d+$/, `:${port}`)} (store: ${config.databaseUrl ? "postgres" : "embedded pglite"}, prefix ${config.prefix}, objects up to ${maxObjectBytes} bytes)`);
  health.serving();

  return async () => {
    log("shutting down");
    health.stopping();
    server.forceShutdown();
    kubeApi.closeAllConnections();
    kubeApi.close();
    await relay.stop();
    await bus.close();
    await store.close();
  };
});
