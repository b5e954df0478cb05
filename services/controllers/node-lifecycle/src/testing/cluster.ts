import type { FakeClock } from "@capstan/apimachinery/testing";
import { EventRecorder } from "@capstan/client";
import { createFakeGateway, type FakeGateway } from "@capstan/client/testing";
import type { Informer } from "@capstan/controller-runtime";
import { syncedInformer } from "@capstan/controller-runtime/testing";

export interface RecordedEvent {
  readonly object: string;
  readonly type: string;
  readonly reason: string;
  readonly message: string;
}

export interface Cluster {
  readonly gateway: FakeGateway;
  readonly nodes: Informer;
  readonly pods: Informer;
  /** The real recorder, writing Events to the gateway. */
  readonly recorder: EventRecorder;
  /** The Events the gateway holds, once the recorder's writes are in. */
  events(): Promise<RecordedEvent[]>;
}

/** A FakeGateway on the test's clock, with synced informers of its Nodes and Pods. */
export async function aCluster(clock: FakeClock): Promise<Cluster> {
  const gateway = await createFakeGateway({ clock });
  return {
    gateway,
    nodes: await syncedInformer(gateway, "Node"),
    pods: await syncedInformer(gateway, "Pod"),
    recorder: new EventRecorder(gateway, { component: "node-controller" }, (message) => {
      throw new Error(message);
    }),
    async events() {
      await gateway.settled();
      return gateway.objects("Event").map((e) => {
        const involved = e["involvedObject"] as { namespace?: string; name?: string };
        return {
          object: involved.namespace ? `${involved.namespace}/${involved.name ?? ""}` : (involved.name ?? ""),
          type: String(e["type"]),
          reason: String(e["reason"]),
          message: String(e["message"]),
        };
      });
    },
  };
}
