import { podView, type JsonObject } from "@capstan/api";
import type { ReflectorEvent, ReflectorHandler } from "@capstan/client";

/**
 * One pod watch for the whole fleet: subjects can name one node, not 5,000, so the fleet watches
 * every pod and hands on only those bound to its own nodes.
 */
export function onlyOwnNodes(nodeNames: ReadonlySet<string>, handler: ReflectorHandler): ReflectorHandler {
  const isOurs = (pod: JsonObject) => nodeNames.has(podView(pod).nodeName);
  return {
    replace: (objects, revision, traces) => handler.replace(objects.filter(isOurs), revision, traces),
    apply: (e: ReflectorEvent) => (isOurs(e.object) ? handler.apply(e) : undefined),
  };
}
