/** ResourceQuota: its identity and rules (Kubernetes' pkg/registry/core/resourcequota/strategy.go, ValidateResourceQuota). */
import { field, type FieldError } from "@capstan/apimachinery";
import { ResourceQuota } from "../../gen/capstan/v1/core.js";
import { validateResourceQuantity } from "../../field-validation.js";
import { fieldsOf, type KindStrategy } from "../kind-strategy.js";
import { resourceQuotaDescriber } from "./describe.js";
import { resourceQuotaPrinter } from "./printer.js";
import { resourceQuotaAdmission } from "./quota-admission.js";

export const resourceQuotaStrategy: KindStrategy<"ResourceQuota"> = {
  kind: "ResourceQuota",
  apiVersion: "v1",
  group: "",
  namespaced: true,
  plural: "resourcequotas",
  singular: "resourcequota",
  shortNames: ["quota"],
  objectField: "resourceQuota",
  messageFns: ResourceQuota,
  protoTypeName: ".capstan.v1.ResourceQuota",
  nameRule: "DNS1123Subdomain",
  // status.hard and status.used are computed in the quota's own commit, never taken from the request.
  createClearsStatus: true,
  ...fieldsOf<ResourceQuota>({
    "metadata.name": (q) => q.metadata?.name ?? "",
    "metadata.namespace": (q) => q.metadata?.namespace ?? "",
  }),

  validate: validateResourceQuota,
  admission: resourceQuotaAdmission,
  countsNamespace: true,

  printer: resourceQuotaPrinter,
  describe: resourceQuotaDescriber,
};

/** Each hard limit a valid, non-negative quantity. */
function validateResourceQuota(quota: ResourceQuota): FieldError[] {
  return Object.entries(quota.spec?.hard ?? {}).flatMap(([name, q]) => validateResourceQuantity(field.key("spec.hard", name), name, q));
}
