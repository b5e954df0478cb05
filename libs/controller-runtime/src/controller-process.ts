import { hostname } from "node:os";
import { JetStreamBus } from "@capstan/bus";
import { createClient, type CapstanClient, type JsonObject } from "@capstan/client";
import { runService } from "@capstan/telemetry";
import type { Controller } from "./controller.js";
import { createInformer, type Informer } from "./informer.js";
import { createLeaderElector, type LeaderElection, type LeaderElector } from "./leader-elector.js";

/** What a controller process's set-up gets: one client, one shared informer per kind, and the bus. */
export interface ControllerContext {
  readonly client: CapstanClient;
  /** The installation's NATS connection and prefix, for what lives beside the event log (KV buckets). */
  readonly bus: JetStreamBus;
  informer<T extends JsonObject = JsonObject>(kind: string): Informer<T>;
  readonly log: (message: string) => void;
}

function positiveNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}: Invalid value "${raw}": must be a positive number`);
  return n;
}

/**
 * The main of a controller service (DESIGN.md §4): connect, campaign for the lease named after the
 * service, and run the controllers only while leading. Losing the lease exits the process, so its
 * supervisor restarts it as a fresh candidate with empty caches.
 *
 * Environment: CAPSTAN_GATEWAY, NATS_URL, CAPSTAN_PREFIX, CAPSTAN_LEASE_SECONDS (default 15).
 */
export function runControllerProcess(service: string, setup: (ctx: ControllerContext) => Controller[]): void {
  runService(service, async ({ exit }) => {
    const log = (message: string) => console.log(message);
    const env = process.env;
    const prefix = env["CAPSTAN_PREFIX"] ?? "capstan";
    const leaseDurationMs = positiveNumber("CAPSTAN_LEASE_SECONDS", 15) * 1000;
    const client = createClient({ address: env["CAPSTAN_GATEWAY"] ?? "127.0.0.1:7470", actor: `system:${service}` });
    const bus = await JetStreamBus.connect({ url: env["NATS_URL"] ?? "nats://127.0.0.1:4222", prefix, name: service });
    const elector = await createLeaderElector({ nc: bus.nc, prefix, log });

    const informers = new Map<string, Informer>();
    const ctx: ControllerContext = {
      client,
      bus,
      log,
      informer: <T extends JsonObject>(kind: string) => {
        let informer = informers.get(kind);
        if (!informer) informers.set(kind, (informer = createInformer({ client, bus, kind, log })));
        // One informer per kind, shared: the caller names the object type its kind holds.
        return informer as unknown as Informer<T>;
      },
    };
    let controllers: Controller[] = [];
    const election = leadUntilLost(elector, { service, leaseDurationMs, log, exit }, async () => {
      try {
        controllers = setup(ctx);
      } catch (e) {
        console.error(`${service}: ${e instanceof Error ? e.message : String(e)}`);
        return void exit(1);
      }
      await Promise.all(controllers.map((c) => c.start()));
    });
    log("candidate for leadership");
    return async () => {
      await election.stop({ release: true });
      await Promise.all(controllers.map((c) => c.stop()));
      await Promise.all([...informers.values()].map((i) => i.stop()));
      await bus.close();
      client.close();
    };
  });
}

export interface LeadOptions {
  /** The lease's name: the service's. */
  readonly service: string;
  readonly leaseDurationMs: number;
  readonly log: (message: string) => void;
  readonly exit: (code: number) => Promise<never>;
}

/**
 * Campaigns for the lease named after the service and runs `lead` once leading. Losing the lease exits
 * the process, so its supervisor restarts it as a fresh candidate with empty caches.
 */
export function leadUntilLost(elector: LeaderElector, opts: LeadOptions, lead: () => Promise<void>): LeaderElection {
  const { service, leaseDurationMs, log, exit } = opts;
  return elector.runWhenLeader(
    { name: service, identity: `${hostname()}-${process.pid}`, leaseDurationMs },
    async () => {
      log("leading");
      await lead();
    },
    (reason) => {
      if (reason === "stopped") return;
      log(`stopped leading (${reason}); exiting so a fresh candidate takes over`);
      // Not awaited: the election finishes ending before the process stops.
      void exit(1);
    },
  );
}
