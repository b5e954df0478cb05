/** The classes every cluster has (scheduling.SystemPriorityClasses). */
export const systemPriorityClasses: readonly { readonly name: string; readonly value: number; readonly description: string }[] = [
  { name: "system-node-critical", value: 2_000_001_000, description: "Used for system critical pods that must not be moved from their current node." },
  { name: "system-cluster-critical", value: 2_000_000_000, description: "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary." },
];

export function isSystemPriorityClass(name: string): boolean {
  return systemPriorityClasses.some((c) => c.name === name);
}
