import { fromApiObject } from "@capstan/api";
import type { CapstanClient } from "@capstan/client";
import { replicaSetsOf, revisionHistory, rollBack, rollbackRevision } from "../deployment-revisions.js";
import { modifyObject } from "../modify-object.js";
import { qualifiedResource } from "../printers.js";
import { deploymentRef } from "./rollout.js";

export async function rolloutUndo(client: Pick<CapstanClient, "get" | "list" | "update">, args: string[], opts: { namespace: string; toRevision?: number }): Promise<void> {
  const ref = deploymentRef(args, "undo");
  const key = { kind: ref.kind, namespace: opts.namespace, name: ref.name };
  const deployment = fromApiObject(await client.get(key)).json;
  const to = rollbackRevision(revisionHistory(await replicaSetsOf(client, deployment)), opts.toRevision ?? 0, ref.name);
  const { result } = await modifyObject(client, key, (d) => rollBack(d, to));
  const name = `${qualifiedResource(ref.kind)}/${ref.name}`;
  console.log(result === "skipped" ? `${name} skipped rollback (current template already matches revision ${to.revision})` : `${name} rolled back`);
}
