import type { JsonObject } from "@capstan/client";
import type { ListWatchOptions } from "@capstan/client/testing";
import { Informer, type ListWatch } from "../informer.js";

/**
 * A started informer over a fake gateway's list-watch, once synced: its cache holds what the gateway
 * holds now, and follows it (unless the test holds the kind back).
 */
export async function syncedInformer<T extends JsonObject = JsonObject>(
  gateway: { listWatch(kind: string, opts?: ListWatchOptions): ListWatch },
  kind: string,
  opts: ListWatchOptions = {},
): Promise<Informer<T>> {
  const informer = new Informer<T>({ kind, listWatch: gateway.listWatch(kind, opts), log: () => {} }).start();
  await informer.synced;
  return informer;
}
