import type { JsonObject, ReflectorEvent, ReflectorHandler } from "@capstan/client";

const nodeNameOf = (pod: JsonObject) => (pod["spec"] as JsonObject | undefined)?.["nodeName"];

/**
 * One pod watch for the whole fleet: subjects can name one node, not 5,000, so the fleet watches
 * every pod and hands on only those bound to its own nodes.
 */
export function onlyOwnNodes(nodeNames: ReadonlySet<string>, handler: ReflectorHandler): ReflectorHandler {
  const isOurs = (pod: JsonObject) => nodeNames.has(String(nodeNameOf(pod)));
  return {
    replace: (objects, revision) => handler.replace(objects.filter(isOurs), revision),
    apply: (e: ReflectorEvent) => (isOurs(e.object) ? handler.apply(e) : undefined),
  };
}
