/**
 * Kubernetes' Priority admission plugin (plugin/pkg/admission/priority): a new pod's priorityClassName
 * (or, when it names none, the globalDefault class) becomes its spec.priority and spec.preemptionPolicy,
 * and at most one PriorityClass is the global default. The class is read in the pod's own commit, so a
 * pod never gets the value of a class deleted before it was written.
 */
import { ForbiddenError, InvalidError, type Decide, type JsonObject, type ObjectKey, type ReadRecord } from "@capstan/apimachinery";
import { metaOf, specOf as spec } from "../../object-view.js";
import { PREEMPT_LOWER_PRIORITY } from "../../scheduling-validation.js";
import type { AdmissionContext, Admitted, DeletionStrategy, KindAdmission } from "../kind-strategy.js";
import { isSystemPriorityClass } from "./system-priority-classes.js";

/** A pod naming no class, with no global default, has priority 0 (DefaultPriorityWhenNoDefaultClassExists). */
const DEFAULT_PRIORITY = 0;

export function priorityClassKey(name: string): ObjectKey {
  return { kind: "PriorityClass", namespace: "", name };
}

const nameOf = (o: JsonObject): string => metaOf(o).name;
export const isGlobalDefault = (pc: JsonObject | undefined): boolean => pc?.["globalDefault"] === true;

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
export function checkPriorityClassWrite(pc: JsonObject, current: JsonObject | undefined, otherDefault: string | undefined, read: ReadRecord): Error | undefined {
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
export function withPodPriority(pod: JsonObject, defaultClass: string | undefined, decide: (pod: JsonObject) => Decide): Decide {
  return (current, read) => {
    const admitted = admitPodPriority(pod, defaultClass, read);
    return "error" in admitted ? admitted : decide(admitted.pod)(current, read);
  };
}

/** The class a pod create reads in its commit: the one it names, else the global default. */
export function podPriorityReads(pod: JsonObject, defaultClass: string | undefined): ObjectKey[] {
  const named = spec(pod)["priorityClassName"];
  const name = typeof named === "string" && named !== "" ? named : defaultClass;
  return name === undefined ? [] : [priorityClassKey(name)];
}

/** A PriorityClass write checks the global default in its own commit, and refreshes the known default after. */
export const priorityClassAdmission: KindAdmission = {
  create: (_key, pc, decide, ctx) => priorityClassWrite(pc, decide(pc), ctx),
  update: (_key, pc, decide, ctx) => priorityClassWrite(pc, decide(pc), ctx),
  committed: (ctx) => ctx.priorityClassesChanged(),
};

async function priorityClassWrite(pc: JsonObject, decide: Decide, ctx: AdmissionContext): Promise<Admitted> {
  const otherDefault = await ctx.defaultPriorityClass();
  return {
    decide: (current, read) => {
      const refused = checkPriorityClassWrite(pc, current?.object, otherDefault, read);
      return refused ? { error: refused } : decide(current, read);
    },
    reads: otherDefault === undefined ? [] : [priorityClassKey(otherDefault)],
  };
}

export const priorityClassDeletion: DeletionStrategy = {
  forbidden: (name) => (isSystemPriorityClass(name) ? `priorityclasses "${name}" is forbidden: this is a system priority class and cannot be deleted` : undefined),
};
