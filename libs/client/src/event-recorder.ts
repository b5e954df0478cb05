import { randomBytes } from "node:crypto";
import { fromApiObject, toApiObject, metaOf, type ApiObject } from "@capstan/api";
import { isCapstanError } from "@capstan/apimachinery";
import type { CapstanClient } from "./capstan-client.js";

export type JsonLike = Record<string, unknown>;

export interface EventSource {
  readonly component: string;
  readonly host?: string;
}

/** How many distinct events a recorder remembers to count repeats of (Kubernetes' EventCorrelator keeps 4096). */
const REMEMBERED_EVENTS = 4096;

/**
 * Records core/v1 Events about an object (what `capctl describe` shows). The same event again (same
 * source, object, type, reason and message) increments the count and lastTimestamp of the Event already
 * written, as Kubernetes' EventCorrelator does, instead of writing another. Recording is best effort:
 * a failure is logged, never allowed to fail the work it describes.
 */
export class EventRecorder {
  /** Each remembered event's last write, by aggregation key, oldest first; writes of one key run in turn. */
  private readonly written = new Map<string, Promise<ApiObject | undefined>>();

  constructor(
    private readonly client: Pick<CapstanClient, "create" | "update">,
    private readonly source: EventSource,
    private readonly log: (message: string) => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  record(involved: JsonLike, type: "Normal" | "Warning", reason: string, message: string, fieldPath = ""): void {
    const meta = metaOf(involved);
    const involvedObject = {
      apiVersion: String(involved["apiVersion"] ?? "v1"),
      kind: String(involved["kind"] ?? ""),
      namespace: meta.namespace,
      name: meta.name,
      uid: meta.uid,
      resourceVersion: meta.resourceVersion,
      fieldPath,
    };
    const key = JSON.stringify([this.source.component, this.source.host ?? "", involvedObject.apiVersion, involvedObject.kind, meta.namespace, meta.name, meta.uid, fieldPath, type, reason, message]);
    const at = this.now();
    const previous = this.written.get(key) ?? Promise.resolve(undefined);
    const write = previous.then(async (prior) => {
      if (prior) {
        const stored = fromApiObject(prior).json;
        try {
          return await this.client.update(toApiObject({ ...stored, count: Number(stored["count"] ?? 1) + 1, lastTimestamp: at.toISOString() }));
        } catch (e) {
          // Gone (expired or deleted) or changed by someone else: start a new Event, as Kubernetes does.
          if (!isCapstanError(e, "NotFound") && !isCapstanError(e, "Conflict")) throw e;
        }
      }
      return this.client.create(
        toApiObject({
          apiVersion: "v1",
          kind: "Event",
          metadata: {
            name: `${meta.name || "object"}.${at.getTime().toString(16)}${randomBytes(2).toString("hex")}`,
            namespace: meta.namespace || "default",
          },
          involvedObject,
          reason,
          message,
          type,
          source: { component: this.source.component, host: this.source.host ?? "" },
          reportingComponent: this.source.component,
          reportingInstance: this.source.host ?? "",
          firstTimestamp: at.toISOString(),
          lastTimestamp: at.toISOString(),
          count: 1,
        }),
      );
    });
    const remembered = write.catch((e: unknown) => {
      this.log(`recording event ${reason} for ${meta.namespace}/${meta.name}: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    });
    this.written.delete(key);
    this.written.set(key, remembered);
    if (this.written.size > REMEMBERED_EVENTS) this.written.delete(this.written.keys().next().value!);
  }
}
