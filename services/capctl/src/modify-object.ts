import { isDeepStrictEqual } from "node:util";
import { fromApiObject, toApiObject } from "@capstan/api";
import { isCapstanError, type ObjectKey } from "@capstan/apimachinery";
import type { CapstanClient } from "@capstan/client";
import type { Json } from "./printers.js";

/** What a read-modify-write needs of the gateway. */
export type ModifyClient = Pick<CapstanClient, "get" | "update">;

export interface Modified<R> {
  /** The object as stored after the write, or as read when nothing changed. */
  readonly object: Json;
  readonly changed: boolean;
  /** What `change` returned on the attempt that was written. */
  readonly result: R;
}

/** Attempts before a Conflict is given up on: controllers write status often during a rollout. */
const MAX_ATTEMPTS = 10;

/**
 * Reads the object, lets `change` edit a copy, and writes the copy with the resourceVersion it read, so
 * a concurrent writer's change is never lost: on Conflict it reads and changes again. `change` throws to
 * refuse (e.g. "already paused"); a copy left equal to what was read is not written.
 */
export async function modifyObject<R>(client: ModifyClient, key: ObjectKey, change: (object: Json) => R): Promise<Modified<R>> {
  for (let attempt = 1; ; attempt++) {
    const current = fromApiObject(await client.get(key)).json;
    const copy = structuredClone(current);
    const result = change(copy);
    if (isDeepStrictEqual(copy, current)) return { object: current, changed: false, result };
    try {
      const stored = fromApiObject(await client.update(toApiObject(copy))).json;
      return { object: stored, changed: true, result };
    } catch (e) {
      if (attempt >= MAX_ATTEMPTS || !isCapstanError(e, "Conflict")) throw e;
      await new Promise((r) => setTimeout(r, Math.min(1000, 20 * attempt * attempt)));
    }
  }
}
