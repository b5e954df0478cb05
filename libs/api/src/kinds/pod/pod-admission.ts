/**
 * A pod create's admission, in Kubernetes' plugin order: LimitRanger fills in the container defaults and
 * checks the bounds, then Priority resolves the class (ResourceQuota then charges the result, as for
 * every write). Both read what they decide on in the pod's own commit.
 */
import { limitRangeKey, withLimitRanges } from "../limit-range/limit-range-admission.js";
import type { KindAdmission } from "../kind-strategy.js";
import { podPriorityReads, withPodPriority } from "../priority-class/priority-admission.js";

export const podAdmission: KindAdmission = {
  async create(key, pod, decide, ctx) {
    const [defaultClass, limitRanges] = await Promise.all([ctx.defaultPriorityClass(), ctx.limitRanges(key.namespace)]);
    return {
      decide: withLimitRanges(key.namespace, limitRanges, (limited) => withPodPriority(limited, defaultClass, decide), pod),
      reads: [...podPriorityReads(pod, defaultClass), ...limitRanges.map((name) => limitRangeKey(key.namespace, name))],
    };
  },
};
