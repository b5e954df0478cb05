import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { InvalidError, isDNS1123Subdomain, isValidQuantity, validateLabels, type FieldError } from "@capstan/apimachinery";

/** One simulated node, as the fleet registers it. */
export interface SimulatedNodeSpec {
  readonly name: string;
  readonly capacity: Readonly<Record<"cpu" | "memory" | "pods" | "ephemeral-storage", string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly { key: string; value?: string | undefined; effect: string }[];
}

const ZONE_LABEL = "topology.kubernetes.io/zone";

/** Room for many small pods, so a density run measures the control plane, not bin packing. */
export const DEFAULT_SIMULATED_CAPACITY = { cpu: "32", memory: "256Gi", pods: "110", "ephemeral-storage": "100Gi" } as const;

const quantity = z.string().refine(isValidQuantity, { message: "must be a quantity such as 500m, 4 or 16Gi" });

const nodeGroup = z
  .object({
    namePrefix: z.string().min(1, "must not be empty"),
    count: z.number().int("must be an integer").positive("must be at least 1"),
    capacity: z
      .object({
        cpu: quantity.default(DEFAULT_SIMULATED_CAPACITY.cpu),
        memory: quantity.default(DEFAULT_SIMULATED_CAPACITY.memory),
        pods: quantity.default(DEFAULT_SIMULATED_CAPACITY.pods),
        "ephemeral-storage": quantity.default(DEFAULT_SIMULATED_CAPACITY["ephemeral-storage"]),
      })
      .strict()
      .default({}),
    labels: z.record(z.string()).default({}),
    /** Shorthand for the topology.kubernetes.io/zone label. */
    zone: z.string().optional(),
    taints: z
      .array(
        z
          .object({
            key: z.string().min(1, "must not be empty"),
            value: z.string().optional(),
            effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

const fleetSpec = z.object({ nodeGroups: z.array(nodeGroup).min(1, "must name at least one node group") }).strict();

export type FleetSpec = z.infer<typeof fleetSpec>;

/** zod's path as the API spells field paths: nodeGroups[0].capacity.cpu. */
function fieldPath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

/** Rules zod cannot state: valid, unique node names and valid labels. */
function semanticErrors(spec: FleetSpec): FieldError[] {
  const errors: FieldError[] = [];
  const prefixes = new Map<string, number>();
  spec.nodeGroups.forEach((group, i) => {
    const path = `nodeGroups[${i}]`;
    const lastName = `${group.namePrefix}${group.count}`;
    if (!isDNS1123Subdomain(lastName)) {
      errors.push({ path: `${path}.namePrefix`, message: `node names such as "${lastName}" must be lowercase RFC 1123 subdomains` });
    }
    const other = prefixes.get(group.namePrefix);
    if (other !== undefined) errors.push({ path: `${path}.namePrefix`, message: `duplicates nodeGroups[${other}].namePrefix` });
    prefixes.set(group.namePrefix, i);
    errors.push(...validateLabels(group.labels, `${path}.labels`));
  });
  return errors;
}

/** Validates a parsed spec; every problem is reported at once, each naming its field. */
export function parseFleetSpec(value: unknown, source: string): FleetSpec {
  const result = fleetSpec.safeParse(value);
  const subject = `CAPSTAN_SIMULATED_NODES (${source})`;
  if (!result.success) {
    throw new InvalidError(subject, result.error.issues.map((issue) => ({ path: fieldPath(issue.path) || "(root)", message: issue.message })));
  }
  const errors = semanticErrors(result.data);
  if (errors.length > 0) throw new InvalidError(subject, errors);
  return result.data;
}

/** The nodes a spec describes, named `<namePrefix><1..count>`. */
export function expandFleetSpec(spec: FleetSpec): SimulatedNodeSpec[] {
  return spec.nodeGroups.flatMap((group) =>
    Array.from({ length: group.count }, (_, i) => ({
      name: `${group.namePrefix}${i + 1}`,
      capacity: group.capacity,
      labels: group.zone !== undefined ? { [ZONE_LABEL]: group.zone, ...group.labels } : group.labels,
      taints: group.taints,
    })),
  );
}

/**
 * CAPSTAN_SIMULATED_NODES: a node count (one group named `<defaultPrefix>1..N` with default capacity),
 * or the path of a JSON or YAML file with node groups.
 */
export function loadFleetSpec(value: string, defaultPrefix: string, readFile: (path: string) => string = (p) => readFileSync(p, "utf8")): SimulatedNodeSpec[] {
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return expandFleetSpec(parseFleetSpec({ nodeGroups: [{ namePrefix: defaultPrefix, count: Number(trimmed) }] }, trimmed));
  let parsed: unknown;
  try {
    parsed = parseYaml(readFile(trimmed)); // YAML is a superset of JSON
  } catch (e) {
    throw new InvalidError(`CAPSTAN_SIMULATED_NODES (${trimmed})`, [
      { path: "(file)", message: `must be a node count or a readable JSON/YAML file: ${e instanceof Error ? e.message : String(e)}` },
    ]);
  }
  return expandFleetSpec(parseFleetSpec(parsed, trimmed));
}
