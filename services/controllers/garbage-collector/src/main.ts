import { controller, runControllerProcess } from "@capstan/controller-runtime";
import { AbsentOwners, GarbageCollector } from "./garbage-collector.js";
import { collectableKey, GARBAGE_COLLECTED_KINDS, OwnerGraph } from "./owner-graph.js";

/** Deletes dependents whose owners are gone, and carries out Foreground and Orphan deletions. */
runControllerProcess("garbage-collector", ({ client, informer, log }) => {
  const graph = new OwnerGraph(new Map(GARBAGE_COLLECTED_KINDS.map((kind) => [kind, informer(kind)])));
  const absentOwners = new AbsentOwners();
  return GARBAGE_COLLECTED_KINDS.map((kind) => {
    // Its own objects only when they have owners or are terminating; the rest is none of its business.
    const builder = controller(`garbage-collector-${kind.toLowerCase()}`, { workers: 4, log }).watches(graph.informer(kind), collectableKey);
    for (const changedKind of GARBAGE_COLLECTED_KINDS) builder.watches(graph.informer(changedKind), graph.keysToRecheck(kind, changedKind));
    return builder.complete(new GarbageCollector(kind, graph, client, absentOwners, log));
  });
});
