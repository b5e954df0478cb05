import { randomBytes } from "node:crypto";
import { toApiObject, metaOf } from "@capstan/api";
import type { CapstanClient } from "./capstan-client.js";

export type JsonLike = Record<string, unknown>;

export interface EventSource {
  readonly component: string;
  readonly host?: string;
}

/**
 * Records core/v1 Events about an object (what `capctl describe` shows). Recording is best effort:
 * a failure is logged, never allowed to fail the work it describes.
 */
export class EventRecorder {
  constructor(
    private readonly client: CapstanClient,
    private readonly source: EventSource,
    private readonly log: (message: string) => void,
  ) {}

  record(involved: JsonLike, type: "Normal" | "Warning", reason: string, message: string, fieldPath = ""): void {
    const meta = metaOf(involved);
    const now = new Date().toISOString();
    const event = {
      apiVersion: "v1",
      kind: "Event",
      metadata: {
        name: `${meta.name || "object"}.${Date.now().toString(16)}${randomBytes(2).toString("hex")}`,
        namespace: meta.namespace || "default",
      },
      involvedObject: {
        apiVersion: String(involved["apiVersion"] ?? "v1"),
        kind: String(involved["kind"] ?? ""),
        namespace: meta.namespace,
        name: meta.name,
        uid: meta.uid,
        resourceVersion: meta.resourceVersion,
        fieldPath,
      },
      reason,
      message,
      type,
      source: { component: this.source.component, host: this.source.host ?? "" },
      reportingComponent: this.source.component,
      reportingInstance: this.source.host ?? "",
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    this.client.create(toApiObject(event)).catch((e: unknown) => {
      this.log(`recording event ${reason} for ${meta["namespace"]}/${meta["name"]}: ${e instanceof Error ? e.message : String(e)}`);
    });
  }
}
