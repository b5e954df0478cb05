/**
 * Kubernetes' ResourceQuota admission (plugin/pkg/admission/resourcequota) and the bookkeeping its
 * controller does after, in one place: every write of a namespaced object reads its namespace's quotas
 * in its own commit, is refused on create when it would exceed one, and writes the quotas' new
 * status.used in the same commit. The log has one writer, so used is exact under any number of
 * concurrent creates: each decision sees the quota as the writes before it in the log left it.
 */
import { ForbiddenError, type Decide, type JsonObject, type ObjectKey, type RelatedWrite, type Verb } from "@capstan/apimachinery";
import { specOf, statusOf } from "../../object-view.js";
import type { AdmissionContext, Admitted, KindAdmission } from "../kind-strategy.js";
import { addAmounts, amountsOf, changedAmounts, maskAmounts, printAmounts, toResourceList, type Amounts } from "./resource-amounts.js";
import { podConstraintsError, resourcesOf, usageOf, type CountedKind } from "./quota-usage.js";

export function resourceQuotaKey(namespace: string, name: string): ObjectKey {
  return { kind: "ResourceQuota", namespace, name };
}

/** One write as quota sees it: the object's key and kind, the verb, and the namespace's quotas by name. */
export interface QuotaWrite {
  readonly key: ObjectKey;
  readonly counted: CountedKind;
  readonly verb: Verb;
  readonly quotas: readonly string[];
}

/** The quotas a write reads: all of its namespace's but itself (a quota's own used is computed at its write). */
export function quotaReads(write: QuotaWrite): ObjectKey[] {
  return write.quotas.filter((name) => !isQuota(write.key, name)).map((name) => resourceQuotaKey(write.key.namespace, name));
}

const isQuota = (key: ObjectKey, name: string): boolean => key.kind === "ResourceQuota" && key.name === name;

/**
 * The write's decision, charged to its namespace's quotas: what the object uses after the write less what
 * it used before (nothing before a create, nothing after a delete; a pod that ended frees its compute) is
 * added to each quota's used. A create that would take a quota past its hard limits, or a pod that does
 * not name the compute resources a quota limits, is refused with Kubernetes' message.
 */
export function withResourceQuotas(write: QuotaWrite, decide: Decide): Decide {
  return (current, read) => {
    const decided = decide(current, read);
    if ("error" in decided) return decided;
    const before = current ? usageOf(write.counted, current.object) : new Map<string, number>();
    const after = decided.type === "DELETED" ? new Map<string, number>() : usageOf(write.counted, decided.object);
    const delta = changedAmounts(before, after);
    if (delta.size === 0) return decided;
    const related: RelatedWrite[] = [];
    for (const key of quotaReads(write)) {
      const quota = read(key)?.object;
      if (!quota) continue;
      const hard = amountsOf(statusOf(quota)["hard"]);
      const used = amountsOf(statusOf(quota)["used"]);
      const charged = maskAmounts(delta, hard);
      if (write.verb === "create") {
        const refused = refusal(write, decided.object, key.name, hard, used, charged);
        if (refused) return { error: refused };
      }
      if (charged.size > 0) related.push({ key, type: "MODIFIED", object: withUsed(quota, addAmounts(used, charged)) });
    }
    return related.length === 0 ? decided : { ...decided, related: [...(decided.related ?? []), ...related] };
  };
}

/** Why a create may not be charged to a quota (CheckRequest), or undefined when it may. */
function refusal(write: QuotaWrite, object: JsonObject, quotaName: string, hard: Amounts, used: Amounts, charged: Amounts): Error | undefined {
  const forbidden = (why: string) => new ForbiddenError(`${write.counted.plural} "${write.key.name}" is forbidden: ${why}`);
  if (write.counted.kind === "Pod") {
    const missing = podConstraintsError(object, hard);
    if (missing) return forbidden(`failed quota: ${quotaName}: ${missing}`);
  }
  const exceeded = [...charged].filter(([name, n]) => n > 0 && (used.get(name) ?? 0) + n > (hard.get(name) ?? 0)).map(([name]) => name);
  if (exceeded.length === 0) return undefined;
  const only = new Map(exceeded.map((name) => [name, true]));
  return forbidden(
    `exceeded quota: ${quotaName}, requested: ${printAmounts(maskAmounts(charged, only))}, used: ${printAmounts(maskAmounts(used, only))}, limited: ${printAmounts(maskAmounts(hard, only))}`,
  );
}

function withUsed(quota: JsonObject, used: Amounts): JsonObject {
  return { ...quota, status: { ...statusOf(quota), used: toResourceList(used) } };
}

/**
 * A quota's own create or update computes its status: hard as the spec says; used, for each resource it
 * did not already track, from every object of its namespace it counts (itself included), read in the
 * same commit as the write — what Kubernetes' resource quota controller does after the fact, done here
 * before the quota can refuse anything. What it already tracked stays as the writes since left it: a
 * count from the listing would miss writes committed between the listing and this commit.
 */
async function withComputedStatus(key: ObjectKey, quota: JsonObject, decide: (quota: JsonObject) => Decide, ctx: AdmissionContext): Promise<Admitted> {
  const hardList = specOf(quota)["hard"] ?? {};
  const hard = amountsOf(hardList);
  const counted = ctx.countedKinds.filter((k) => resourcesOf(k).some((name) => hard.has(name)));
  const byKind = new Map(counted.map((k) => [k.kind, k]));
  const reads = (await ctx.namespaceObjects(key.namespace, [...byKind.keys()])).filter((k) => !(k.kind === key.kind && k.name === key.name));
  const self = ctx.countedKinds.find((k) => k.kind === key.kind);
  return {
    reads,
    decide: (current, read) => {
      const tracked = maskAmounts(amountsOf(statusOf(current?.object)["used"]), hard);
      const untracked = new Map([...hard].filter(([name]) => !tracked.has(name)));
      let used: Amounts = addAmounts(tracked, new Map([...untracked.keys()].map((name) => [name, 0])));
      const charge = (k: CountedKind | undefined, o: JsonObject) => {
        if (k) used = addAmounts(used, maskAmounts(usageOf(k, o), untracked));
      };
      for (const r of reads) {
        const record = read(r);
        if (record) charge(byKind.get(r.kind), record.object);
      }
      charge(self, quota);
      // Set on what the write decided: an update keeps the stored status of what it is given.
      const decided = decide(quota)(current, read);
      return "error" in decided ? decided : { ...decided, object: { ...decided.object, status: { hard: hardList, used: toResourceList(used) } } };
    },
  };
}

export const resourceQuotaAdmission: KindAdmission = {
  create: withComputedStatus,
  update: withComputedStatus,
  committed: (ctx) => ctx.resourceQuotasChanged(),
};
