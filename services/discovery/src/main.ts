import { JetStreamBus } from "@capstan/bus";
import { createClient, type JsonObject } from "@capstan/client";
import { controller, createInformer, createLeaderElector, leadUntilLost, type Controller, type Informer } from "@capstan/controller-runtime";
import { endpointsPropagationDuration, runService } from "@capstan/telemetry";
import { CLUSTER_DNS_KEY, ClusterDNSReconciler, clusterDNSObjects } from "./cluster-dns/cluster-dns.js";
import { loadConfig } from "./config.js";
import { createDnsMetrics } from "./dns/dns-metrics.js";
import { startDnsServer } from "./dns/dns-server.js";
import { feedRecordStore } from "./dns/record-feed.js";
import { createRecordStore } from "./dns/record-store.js";
import { EndpointsReconciler, indexPodsByLabel, indexServicesBySelector, indexSlicesByService, servicesSelecting } from "./endpoints/reconcile.js";

const SERVICE = "discovery";

/**
 * Every replica answers DNS from its own caches of Services and EndpointSlices; only the leader runs
 * the endpoints controller and keeps the cluster DNS Service, so writes never race.
 */
runService(SERVICE, async ({ exit, telemetry }) => {
  const config = loadConfig();
  const log = (message: string) => console.log(message);
  const client = createClient({ address: config.gateway, actor: `system:${SERVICE}` });
  const bus = await JetStreamBus.connect({ url: config.natsUrl, prefix: config.prefix, name: SERVICE });
  const informers: Informer[] = [];
  const informer = (kind: string): Informer<JsonObject> => {
    const created = createInformer({ client, bus, kind, log });
    informers.push(created);
    return created;
  };

  const services = informer("Service");
  indexServicesBySelector(services);
  const slices = informer("EndpointSlice");
  indexSlicesByService(slices);
  const records = createRecordStore({ zone: config.clusterDomain });
  const stopFeed = feedRecordStore(records, services, slices);
  // Serving only once synced: before that every cluster name would be a wrong NXDOMAIN.
  await Promise.all([services.start().synced, slices.start().synced]);
  const dns = await startDnsServer({ records, host: config.dnsHost, port: config.dnsPort, metrics: createDnsMetrics(telemetry.meter), log });
  log(`DNS listening on ${dns.host}:${dns.port} (UDP and TCP), zone ${config.clusterDomain}`);

  let controllers: Controller[] = [];
  const elector = await createLeaderElector({ nc: bus.nc, prefix: config.prefix, log });
  const election = leadUntilLost(elector, { service: SERVICE, leaseDurationMs: config.leaseDurationMs, log, exit }, async () => {
    const pods = informer("Pod");
    indexPodsByLabel(pods);
    const endpoints = informer("Endpoints");
    const clusterDNS = controller("cluster-dns", { log })
      .watches(services, clusterDNSObjects)
      .watches(endpoints, clusterDNSObjects)
      .watches(slices, clusterDNSObjects)
      .complete(new ClusterDNSReconciler({ clusterIP: config.clusterDNSIP, address: config.dnsAdvertiseAddress, port: dns.port }, services, endpoints, slices, client));
    controllers = [
      // A reconcile mostly waits on the gateway and its own write's echo; many in flight keep a burst
      // of pod changes from queueing behind each other (the gateway batches their commits).
      controller("endpoints", { workers: 16, log })
        .for(services)
        .owns(endpoints)
        .owns(slices)
        .watches(pods, servicesSelecting(services))
        .complete(new EndpointsReconciler(services, pods, endpoints, slices, client, endpointsPropagationDuration(telemetry.meter))),
      clusterDNS,
    ];
    // Nothing may exist yet to wake it: the Service is created, not observed.
    clusterDNS.queue.add(CLUSTER_DNS_KEY);
    await Promise.all(controllers.map((c) => c.start()));
    log(`serving DNS on ${dns.host}:${dns.port}; endpoints controller running`);
  });
  log("candidate for leadership");
  return async () => {
    await election.stop({ release: true });
    await Promise.all(controllers.map((c) => c.stop()));
    stopFeed();
    await Promise.all(informers.map((i) => i.stop()));
    await dns.close();
    await bus.close();
    client.close();
  };
});
