import type { NodeLeaseTimes } from "../node-lease-times.js";

/** Node lease renewals set by the test; synced unless told otherwise. */
export class FakeNodeLeaseTimes implements NodeLeaseTimes {
  private readonly renewed = new Map<string, number>();
  synced = true;

  renew(nodeName: string, at: number): void {
    this.renewed.set(nodeName, at);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  renewTime(nodeName: string): number | undefined {
    return this.renewed.get(nodeName);
  }
}
