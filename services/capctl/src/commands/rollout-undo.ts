import { fromApiObject } from "@capstan/api";
import type { CapstanClient } from "@capstan/client";
import { modifyObject } from "../modify-object.js";
import { qualifiedResource } from "../printers.js";
import { rolloutRef } from "../rollout-kinds.js";

export async function rolloutUndo(client: Pick<CapstanClient, "get" | "list" | "update">, args: string[], opts: { namespace: string; toRevision?: number }): Promise<void> {
  const ref = rolloutRef(args, "undo");
  const key = { kind: ref.kind, namespace: opts.namespace, name: ref.name };
  const owner = fromApiObject(await client.get(key)).json;
  const to = ref.rollout.target(await ref.rollout.history(client, owner), opts.toRevision ?? 0, ref.name);
  const { result } = await modifyObject(client, key, (o) => ref.rollout.rollBack(o, to));
  const name = `${qualifiedResource(ref.kind)}/${ref.name}`;
  console.log(result === "skipped" ? `${name} skipped rollback (current template already matches revision ${to.revision})` : `${name} rolled back`);
}
