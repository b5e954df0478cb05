import { JetStreamBus } from "@capstan/bus";
import { createClient, EventRecorder, startReflector } from "@capstan/client";
import { initTelemetry } from "@capstan/telemetry";
import { loadConfig } from "./config.js";
import { Scheduler } from "./scheduler.js";

const log = (message: string) => console.log(message);

async function main(): Promise<void> {
  const config = loadConfig();
  const telemetry = initTelemetry("scheduler");
  const client = createClient({ address: config.gateway, actor: `system:${config.schedulerName}` });
  const bus = await JetStreamBus.connect({ url: config.natsUrl, prefix: config.prefix, name: "scheduler" });
  const recorder = new EventRecorder(client, { component: config.schedulerName }, log);
  const scheduler = new Scheduler(client, recorder, telemetry.tracer, {
    schedulerName: config.schedulerName,
    unschedulableRetryMs: config.unschedulableRetryMs,
    configuration: config.configuration,
    log,
  });
  const nodes = startReflector({ client, bus, kind: "Node", log }, scheduler.nodeHandler);
  const pods = startReflector({ client, bus, kind: "Pod", log }, scheduler.podHandler);
  await Promise.all([nodes.synced, pods.synced]);
  scheduler.start();
  log("scheduling");

  const shutdown = async () => {
    await scheduler.stop();
    await Promise.all([nodes.stop(), pods.stop()]);
    await bus.close();
    client.close();
    await telemetry.shutdown();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown());
  process.on("SIGINT", () => void shutdown());
}

main().catch((e: unknown) => {
  console.error(`scheduler: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
