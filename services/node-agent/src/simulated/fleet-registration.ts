import { fromApiObject, metaOf, toApiObject } from "@capstan/api";
import { isCapstanError } from "@capstan/apimachinery";
import type { NodeLeases } from "@capstan/bus";
import type { CapstanClient, JsonObject, ReflectorEvent, ReflectorHandler } from "@capstan/client";
import { NODE_LEASE_DURATION_SECONDS, nodeObject, nodeStatusUpdate, type NodeDescription } from "../node-registration.js";
import { pipelined } from "./pipelined.js";

export interface FleetRegistrationOptions {
  readonly client: Pick<CapstanClient, "create" | "updateStatus">;
  readonly leases: Pick<NodeLeases, "renew">;
  readonly nodes: readonly NodeDescription[];
  readonly heartbeatSeconds: number;
  readonly nodeStatusReportSeconds: number;
  /** Lease renewals and Node writes in flight at most. */
  readonly maxInFlight: number;
  readonly log: (m: string) => void;
  readonly now?: () => number;
  readonly random?: () => number;
}

/**
 * What NodeRegistration does for one node, done for every node of the fleet at once: each heartbeat
 * renews every node lease (pipelined), and a Node's status is written only when it changed or its
 * report period ran out. The fleet's Nodes come from one Node watch (this is its handler), so
 * looking at 5,000 statuses costs no call.
 */
export class FleetRegistration implements ReflectorHandler {
  private readonly byName: ReadonlyMap<string, NodeDescription>;
  /** Our nodes as the API shows them. */
  private readonly current = new Map<string, JsonObject>();
  private readonly lastReported = new Map<string, number>();
  /** The Node object each status was last found up to date in: an object not replaced since needs no new look. */
  private readonly upToDate = new Map<string, JsonObject>();
  private timer: NodeJS.Timeout | undefined;
  private beating = false;
  private readonly now: () => number;

  constructor(private readonly opts: FleetRegistrationOptions) {
    this.byName = new Map(opts.nodes.map((n) => [n.name, n]));
    this.now = opts.now ?? Date.now;
    const random = opts.random ?? Math.random;
    // Spread the periodic reports over the period, so the fleet does not write every Node at once.
    const period = opts.nodeStatusReportSeconds * 1000;
    for (const n of opts.nodes) this.lastReported.set(n.name, this.now() - Math.floor(random() * period));
  }

  replace(objects: JsonObject[]): void {
    this.current.clear();
    for (const o of objects) this.remember(o);
  }

  apply(e: ReflectorEvent): void {
    const name = nameOf(e.object);
    if (!this.byName.has(name)) return;
    if (e.type === "DELETED") this.current.delete(name);
    else this.current.set(name, e.object);
  }

  /** Registers every node that is not registered yet; nodes already there are taken over. */
  async register(): Promise<void> {
    await this.renewLeases();
    let created = 0;
    let takenOver = 0;
    await pipelined(this.opts.nodes, this.opts.maxInFlight, async (node) => {
      if (this.current.has(node.name)) {
        await this.syncStatus(node, true);
        takenOver++;
      } else if (await this.create(node)) created++;
    });
    this.opts.log(`registered ${created} simulated nodes, took over ${takenOver}`);
  }

  start(): void {
    this.timer = setInterval(() => void this.heartbeat(), this.opts.heartbeatSeconds * 1000);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One heartbeat of every node; a beat still running when the next is due makes that one skip. */
  async heartbeat(): Promise<void> {
    if (this.beating) return;
    this.beating = true;
    try {
      await this.renewLeases();
      const reportPeriod = this.opts.nodeStatusReportSeconds * 1000;
      await pipelined(this.opts.nodes, this.opts.maxInFlight, async (node) => {
        if (!this.current.has(node.name)) {
          // Someone deleted the Node: register it again, as kubelet does.
          await this.create(node);
          return;
        }
        await this.syncStatus(node, this.now() - (this.lastReported.get(node.name) ?? 0) >= reportPeriod);
      });
    } finally {
      this.beating = false;
    }
  }

  private renewLeases(): Promise<void> {
    return pipelined(this.opts.nodes, this.opts.maxInFlight, (node) =>
      this.opts.leases.renew(node.name, NODE_LEASE_DURATION_SECONDS).catch((e: unknown) => this.opts.log(`renewing the lease of node ${node.name}: ${errorMessage(e)}`)),
    );
  }

  private async create(node: NodeDescription): Promise<boolean> {
    try {
      const created = await this.opts.client.create(toApiObject(nodeObject(node, new Date(this.now()).toISOString())));
      this.lastReported.set(node.name, this.now());
      this.current.set(node.name, fromApiObject(created).json);
      return true;
    } catch (e) {
      // AlreadyExists: the watch has not shown it yet; the next heartbeat compares its status.
      if (!isCapstanError(e, "AlreadyExists")) this.opts.log(`registering node ${node.name}: ${errorMessage(e)}`);
      return false;
    }
  }

  private async syncStatus(node: NodeDescription, force: boolean): Promise<void> {
    const current = this.current.get(node.name);
    if (!current || (!force && this.upToDate.get(node.name) === current)) return;
    const update = nodeStatusUpdate(current, node, new Date(this.now()).toISOString(), force);
    if (!update) {
      this.upToDate.set(node.name, current);
      return;
    }
    try {
      await this.opts.client.updateStatus(toApiObject(update));
      this.lastReported.set(node.name, this.now());
    } catch (e) {
      this.opts.log(`node status of ${node.name}: ${errorMessage(e)}`);
    }
  }

  private remember(o: JsonObject): void {
    const name = nameOf(o);
    if (this.byName.has(name)) this.current.set(name, o);
  }
}

const nameOf = (o: JsonObject) => metaOf(o).name;

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
