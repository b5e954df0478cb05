/** LimitRange: its identity, defaults and rules (Kubernetes' pkg/registry/core/limitrange, SetDefaults_LimitRangeItem, ValidateLimitRange). */
import { field, parseQuantity, type FieldError } from "@capstan/apimachinery";
import { LimitRange, type LimitRangeItem } from "../../gen/capstan/v1/core.js";
import { validateResourceQuantity } from "../../field-validation.js";
import { fieldsOf, type KindStrategy } from "../kind-strategy.js";
import { limitRangeDescriber } from "./describe.js";
import { LIMIT_TYPE_CONTAINER } from "./limit-range-admission.js";
import { limitRangePrinter } from "./printer.js";

const LIMIT_TYPES = [LIMIT_TYPE_CONTAINER, "Pod", "PersistentVolumeClaim"];

export const limitRangeStrategy: KindStrategy<"LimitRange"> = {
  kind: "LimitRange",
  apiVersion: "v1",
  group: "",
  namespaced: true,
  plural: "limitranges",
  singular: "limitrange",
  shortNames: ["limits"],
  objectField: "limitRange",
  messageFns: LimitRange,
  protoTypeName: ".capstan.v1.LimitRange",
  nameRule: "DNS1123Subdomain",
  createClearsStatus: false,
  ...fieldsOf<LimitRange>({
    "metadata.name": (lr) => lr.metadata?.name ?? "",
    "metadata.namespace": (lr) => lr.metadata?.namespace ?? "",
  }),

  defaults: defaultLimitRange,
  validate: validateLimitRange,
  admission: { committed: (ctx) => ctx.limitRangesChanged() },

  printer: limitRangePrinter,
  describe: limitRangeDescriber,
};

/**
 * A Container item's unset defaults: the default limit is the max, the default request the default limit,
 * else the min (SetDefaults_LimitRangeItem).
 */
export function defaultLimitRange(lr: LimitRange): LimitRange {
  const out = LimitRange.fromPartial(lr);
  for (const item of out.spec?.limits ?? []) {
    if (item.type !== LIMIT_TYPE_CONTAINER) continue;
    item.default = { ...item.max, ...item.default };
    item.defaultRequest = { ...item.min, ...item.default, ...item.defaultRequest };
  }
  return out;
}

/** A supported type, valid quantities, and min ≤ default request ≤ default limit ≤ max for each resource. */
function validateLimitRange(lr: LimitRange): FieldError[] {
  return (lr.spec?.limits ?? []).flatMap((item, i) => validateItem(item, field.index("spec.limits", i)));
}

function validateItem(item: LimitRangeItem, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!LIMIT_TYPES.includes(item.type)) errs.push(field.notSupported(field.child(path, "type"), item.type, LIMIT_TYPES));
  const lists = { max: item.max, min: item.min, default: item.default, defaultRequest: item.defaultRequest, maxLimitRequestRatio: item.maxLimitRequestRatio };
  for (const [name, list] of Object.entries(lists)) {
    for (const [r, q] of Object.entries(list)) errs.push(...validateResourceQuantity(field.key(field.child(path, name), r), r, q));
  }
  if (errs.length > 0) return errs;
  // Each pair: the list whose value must not be greater, the other, and Kubernetes' words for both.
  const order = [
    ["min", "max", "min value", "max value"],
    ["default", "max", "default value", "max value"],
    ["defaultRequest", "default", "default request value", "default limit value"],
    ["min", "defaultRequest", "min value", "default request value"],
  ] as const;
  for (const [lower, upper, lowerWords, upperWords] of order) {
    for (const [r, q] of Object.entries(lists[lower])) {
      const bound = lists[upper][r];
      if (bound !== undefined && parseQuantity(q).cmp(parseQuantity(bound)) > 0) {
        errs.push(field.invalid(field.key(field.child(path, lower), r), q, `${lowerWords} ${q} is greater than ${upperWords} ${bound}`));
      }
    }
  }
  return errs;
}
