import { JetStreamBus } from "@capstan/bus";
import { createClient, EventRecorder } from "@capstan/client";
import { startReflector } from "@capstan/controller-runtime";
import { runService } from "@capstan/telemetry";
import { loadConfig } from "./config.js";
import { Scheduler } from "./scheduler.js";

const log = (message: string) => console.log(message);

runService("scheduler", async ({ telemetry }) => {
  const config = loadConfig();
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
  const claims = startReflector({ client, bus, kind: "PersistentVolumeClaim", log }, scheduler.claimHandler);
  const volumes = startReflector({ client, bus, kind: "PersistentVolume", log }, scheduler.volumeHandler);
  const classes = startReflector({ client, bus, kind: "StorageClass", log }, scheduler.classHandler);
  await Promise.all([nodes.synced, pods.synced, claims.synced, volumes.synced, classes.synced]);
  scheduler.start();
  log("scheduling");

  return async () => {
    await scheduler.stop();
    await Promise.all([nodes.stop(), pods.stop(), claims.stop(), volumes.stop(), classes.stop()]);
    await bus.close();
    client.close();
  };
});
