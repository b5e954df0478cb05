import type { NodeLeaseRecord, NodeLeases, NodeLeaseWatch } from "@capstan/bus";

/** When each node's lease was last renewed (ms since the epoch), as far as this process has seen. */
export interface NodeLeaseTimes {
  /** False until the latest lease of every node has been seen: until then, no node can be judged silent. */
  hasSynced(): boolean;
  renewTime(nodeName: string): number | undefined;
}

const RETRY_MS = 1000;

/** The node lease bucket's latest renewal per node, kept current by a KV watch. */
export class WatchedNodeLeaseTimes implements NodeLeaseTimes {
  private readonly renewed = new Map<string, number>();
  private watch: NodeLeaseWatch | undefined;
  private synced = false;
  private stopped = false;

  constructor(
    private readonly open: () => Promise<NodeLeases>,
    private readonly log: (message: string) => void,
  ) {}

  /** Resolves once the latest leases are all in; until the bucket can be read, tries again every second. */
  async start(): Promise<void> {
    while (!this.stopped && !this.watch) {
      try {
        const leases = await this.open();
        this.watch = await leases.watch(
          (nodeName, lease) => this.observe(nodeName, lease),
          (e) => this.log(`watching node leases: ${errorMessage(e)}`),
        );
        this.synced = true;
      } catch (e) {
        this.log(`watching node leases: ${errorMessage(e)}; retrying`);
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
    if (this.stopped) this.watch?.stop();
  }

  stop(): void {
    this.stopped = true;
    this.watch?.stop();
  }

  hasSynced(): boolean {
    return this.synced;
  }

  renewTime(nodeName: string): number | undefined {
    return this.renewed.get(nodeName);
  }

  private observe(nodeName: string, lease: NodeLeaseRecord | undefined): void {
    const at = Date.parse(lease?.renewTime ?? "");
    if (Number.isFinite(at)) this.renewed.set(nodeName, at);
    else this.renewed.delete(nodeName);
  }
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
