import { Kvm, type KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";

/**
 * A node's heartbeat, as Kubernetes' node Lease (kube-node-lease): renewed by the node agent every
 * heartbeat interval in a NATS KV bucket, so heartbeats stay out of the event log.
 */
export interface NodeLeaseRecord {
  /** The node's name, as the Lease's holderIdentity. */
  readonly holder: string;
  /** When the agent last renewed the lease (ISO 8601). */
  readonly renewTime: string;
  readonly leaseDurationSeconds: number;
}

/** The bucket of one installation's node leases, one key per node. */
export function nodeLeaseBucketName(prefix: string): string {
  return `${prefix.replaceAll(/[^A-Za-z0-9_-]/g, "_")}_node_leases`;
}

export interface NodeLeaseWatch {
  stop(): void;
}

/** The node leases of one installation: the agent's side renews, the controller's side watches. */
export class NodeLeases {
  private constructor(private readonly kv: KV) {}

  /** Opens (creating it if need be) the bucket; only the latest renewal per node is kept. */
  static async open(nc: NatsConnection, prefix: string): Promise<NodeLeases> {
    return new NodeLeases(await new Kvm(nc).create(nodeLeaseBucketName(prefix), { history: 1 }));
  }

  /** Writes the node's lease as renewed now. Each node has one writer, its agent, so no compare-and-set. */
  async renew(nodeName: string, leaseDurationSeconds: number, renewedAt: Date = new Date()): Promise<void> {
    const record: NodeLeaseRecord = { holder: nodeName, renewTime: renewedAt.toISOString(), leaseDurationSeconds };
    await this.kv.put(nodeName, JSON.stringify(record));
  }

  /**
   * Calls `onRenewed` with each node's latest lease, then with every renewal as it comes; a deleted
   * lease is reported as undefined. Resolves once the latest leases have all been reported, as an
   * informer's list does. Errors after that end the watch and go to `onError`.
   */
  async watch(
    onRenewed: (nodeName: string, lease: NodeLeaseRecord | undefined) => void,
    onError: (e: unknown) => void,
  ): Promise<NodeLeaseWatch> {
    const empty = (await this.kv.status()).values === 0;
    const watcher = await this.kv.watch();
    let initialized!: () => void;
    const caughtUp = new Promise<void>((resolve) => (initialized = resolve));
    if (empty) initialized();
    const delivering = (async () => {
      for await (const entry of watcher) {
        onRenewed(entry.key, entry.operation === "PUT" ? decodeNodeLease(entry.string()) : undefined);
        // delta: what the server had still to send when it sent this one.
        if (entry.delta === 0) initialized();
      }
    })();
    // A watch that fails before catching up fails this call; one that fails later goes to onError.
    await Promise.race([caughtUp, delivering]);
    delivering.catch(onError);
    return { stop: () => watcher.stop() };
  }

  /** Removes the bucket and every lease in it (test teardown, `capstan reset`). */
  async destroy(): Promise<void> {
    await this.kv.destroy();
  }
}

/** A lease record, or undefined for a value that is not one. */
export function decodeNodeLease(value: string): NodeLeaseRecord | undefined {
  let r: Partial<Record<keyof NodeLeaseRecord, unknown>>;
  try {
    r = (JSON.parse(value) ?? {}) as typeof r;
  } catch {
    return undefined;
  }
  if (typeof r.holder !== "string" || typeof r.renewTime !== "string" || typeof r.leaseDurationSeconds !== "number") return undefined;
  return { holder: r.holder, renewTime: r.renewTime, leaseDurationSeconds: r.leaseDurationSeconds };
}
