import { now } from "./pod-record.js";
import type { RuntimeEvent, RuntimeLogger } from "./runtime.js";

/** Who hears about a runtime's pods: status changes and Kubernetes-style events. A failing listener is logged, never fatal. */
export class RuntimeListeners {
  private readonly statusListeners: Array<(podUid: string) => void> = [];
  private readonly eventListeners: Array<(e: RuntimeEvent) => void> = [];

  constructor(private readonly logger: RuntimeLogger) {}

  onStatusChange(listener: (podUid: string) => void): void {
    this.statusListeners.push(listener);
  }

  onEvent(listener: (e: RuntimeEvent) => void): void {
    this.eventListeners.push(listener);
  }

  emit(podUid: string, type: RuntimeEvent["type"], reason: RuntimeEvent["reason"], message: string, container?: string): void {
    const event: RuntimeEvent = {
      podUid,
      type,
      reason,
      message,
      timestamp: now(),
      ...(container !== undefined ? { container } : {}),
    };
    for (const listener of this.eventListeners) {
      try {
        listener(event);
      } catch (e) {
        this.logger.warn("event listener failed", { podUid, reason, error: e instanceof Error ? e.message : String(e) });
      }
    }
  }

  notify(podUid: string): void {
    for (const listener of this.statusListeners) {
      try {
        listener(podUid);
      } catch (e) {
        this.logger.warn("status listener failed", { podUid, error: e instanceof Error ? e.message : String(e) });
      }
    }
  }
}
