/**
 * Kubernetes' Priority admission plugin (plugin/pkg/admission/priority): a new pod's priorityClassName
 * (or, when it names none, the globalDefault class) becomes its spec.priority and spec.preemptionPolicy,
 * and at most one PriorityClass is the global default. The class is read in the pod's own commit, so a
 * pod never gets the value of a class deleted before it was written.
 */
import { isCapstanError, ForbiddenError, InvalidError, type ObjectKey } from "@capstan/apimachinery";
import { PREEMPT_LOWER_PRIORITY, systemPriorityClasses, toApiObject } from "@capstan/api";
import type { Decision, EventStore, JsonObject, Mutation, ObjectRecord, ReadRecord } from "@capstan/eventstore";
import type { ObjectService } from "./object-service.js";

/** A pod naming no class, with no global default, has priority 0 (DefaultPriorityWhenNoDefaultClassExists). */
const DEFAULT_PRIORITY = 0;

export function priorityClassKey(name: string): ObjectKey {
  return { kind: "PriorityClass", namespace: "", name };
}

const spec = (o: JsonObject): JsonObject => (o["spec"] ?? {}) as JsonObject;
const nameOf = (o: JsonObject): string => String(((o["metadata"] ?? {}) as JsonObject)["name"] ?? "");
const isGlobalDefault = (pc: JsonObject | undefined): boolean => pc?.["globalDefault"] === true;

/**
 * The pod as admitted, given the class it resolves to (read in the same snapshot): priority and
 * preemptionPolicy from the class, or an error when the class is missing or the pod says otherwise.
 * `defaultClass` is the global default's name as last seen; the read confirms it still is one.
 */
export function admitPodPriority(pod: JsonObject, defaultClass: string | undefined, read: ReadRecord): { pod: JsonObject } | { error: Error } {
  const podSpec = spec(pod);
  const named = typeof podSpec["priorityClassName"] === "string" ? podSpec["priorityClassName"] : "";
  let className = named;
  let priority = DEFAULT_PRIORITY;
  let preemptionPolicy = PREEMPT_LOWER_PRIORITY;
  if (named !== "") {
    const pc = read(priorityClassKey(named))?.object;
    if (!pc) {
      return {
        error: new InvalidError(`Pod "${nameOf(pod)}"`, [
          { path: "spec.priorityClassName", message: `Not found: ${JSON.stringify(named)}: no PriorityClass with name ${named} was found` },
        ]),
      };
    }
    ({ priority, preemptionPolicy } = classValues(pc));
  } else if (defaultClass !== undefined) {
    const pc = read(priorityClassKey(defaultClass))?.object;
    if (isGlobalDefault(pc) && pc) {
      className = defaultClass;
      ({ priority, preemptionPolicy } = classValues(pc));
    }
  }

  const askedPriority = podSpec["priority"];
  if (typeof askedPriority === "number" && askedPriority !== priority) {
    return {
      error: new ForbiddenError(
        `pods "${nameOf(pod)}" is forbidden: the integer value of priority (${askedPriority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`,
      ),
    };
  }
  const askedPolicy = podSpec["preemptionPolicy"];
  if (typeof askedPolicy === "string" && askedPolicy !== preemptionPolicy) {
    return {
      error: new ForbiddenError(
        `pods "${nameOf(pod)}" is forbidden: the string value of PreemptionPolicy (${askedPolicy}) must not be provided in pod spec; priority admission controller computed ${preemptionPolicy} from the given PriorityClass name`,
      ),
    };
  }
  const admitted: JsonObject = { ...podSpec, priority, preemptionPolicy };
  if (className !== "") admitted["priorityClassName"] = className;
  return { pod: { ...pod, spec: admitted } };
}

function classValues(pc: JsonObject): { priority: number; preemptionPolicy: string } {
  const value = pc["value"];
  const policy = pc["preemptionPolicy"];
  return {
    priority: typeof value === "number" ? value : DEFAULT_PRIORITY,
    preemptionPolicy: typeof policy === "string" && policy !== "" ? policy : PREEMPT_LOWER_PRIORITY,
  };
}

/**
 * A PriorityClass write: another class may not already be the global default, nor may an update change
 * value or preemptionPolicy (pods carry the values they were admitted with). `otherDefault` is the
 * default as last seen, read in the same snapshot.
 */
export function checkPriorityClassWrite(
  pc: JsonObject,
  current: JsonObject | undefined,
  otherDefault: string | undefined,
  read: ReadRecord,
): Error | undefined {
  const name = nameOf(pc);
  if (isGlobalDefault(pc) && otherDefault !== undefined && otherDefault !== name && isGlobalDefault(read(priorityClassKey(otherDefault))?.object)) {
    return new ForbiddenError(`PriorityClass ${otherDefault} is already marked as default. Only one default can exist`);
  }
  if (!current) return undefined;
  const errors = (["value", "preemptionPolicy"] as const)
    .filter((f) => pc[f] !== current[f])
    .map((f) => ({ path: f, message: "Forbidden: may not be changed in an update." }));
  return errors.length > 0 ? new InvalidError(`PriorityClass "${name}"`, errors) : undefined;
}

/** Wraps a pod create so it decides on the admitted pod, or fails as admission says. */
export function withPodPriority(
  pod: JsonObject,
  defaultClass: string | undefined,
  decide: (pod: JsonObject) => (current: ObjectRecord | undefined) => Decision,
): Mutation["decide"] {
  return (current, read) => {
    const admitted = admitPodPriority(pod, defaultClass, read);
    return "error" in admitted ? admitted : decide(admitted.pod)(current);
  };
}

/** The class a pod create reads in its commit: the one it names, else the global default. */
export function podPriorityReads(pod: JsonObject, defaultClass: string | undefined): ObjectKey[] {
  const named = spec(pod)["priorityClassName"];
  const name = typeof named === "string" && named !== "" ? named : defaultClass;
  return name === undefined ? [] : [priorityClassKey(name)];
}

/**
 * The name of the globalDefault class, as of the last PriorityClass write this gateway made (Kubernetes'
 * admission reads it from an informer, equally behind). Pod creates read that class in their own commit.
 */
export class DefaultPriorityClass {
  private cached: Promise<string | undefined> | undefined;

  constructor(private readonly store: EventStore) {}

  name(): Promise<string | undefined> {
    this.cached ??= this.store.list({ kind: "PriorityClass" }).then(
      ({ items }) => {
        const found = items.find((r) => isGlobalDefault(r.object));
        return found ? nameOf(found.object) : undefined;
      },
      (e: unknown) => {
        // A failed read fails this create only; the next one lists again.
        this.cached = undefined;
        throw e;
      },
    );
    return this.cached;
  }

  /** After a PriorityClass write commits: the next pod create lists the classes again. */
  invalidate(): void {
    this.cached = undefined;
  }
}

export function isSystemPriorityClass(name: string): boolean {
  return systemPriorityClasses.some((c) => c.name === name);
}

/** Like Kubernetes' API server, a new cluster has system-node-critical and system-cluster-critical. */
export async function ensureSystemPriorityClasses(service: ObjectService): Promise<void> {
  for (const { name, value, description } of systemPriorityClasses) {
    const pc = { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name }, value, description };
    try {
      await service.create(toApiObject(pc), { actor: "system:api-gateway" });
    } catch (e) {
      if (!isCapstanError(e, "AlreadyExists")) throw e;
    }
  }
}
