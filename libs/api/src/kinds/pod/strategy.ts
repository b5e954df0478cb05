/** Pod: its identity, defaults and rules (Kubernetes' pkg/registry/core/pod/strategy.go). */
import { Pod } from "../../gen/capstan/v1/core.js";
import { validatePodSpec } from "../../pod-spec-validation.js";
import { fieldsOf, type KindStrategy } from "../kind-strategy.js";
import { podDescriber } from "./describe.js";
import { podPrinter } from "./printer.js";
import { defaultPod } from "./defaults.js";
import { podAdmission } from "./pod-admission.js";
import { podDeletion, validatePodUpdate } from "./pod-lifecycle.js";

export const podStrategy: KindStrategy<"Pod"> = {
  kind: "Pod",
  apiVersion: "v1",
  group: "",
  namespaced: true,
  plural: "pods",
  singular: "pod",
  shortNames: ["po"],
  objectField: "pod",
  messageFns: Pod,
  protoTypeName: ".capstan.v1.Pod",
  // Kubernetes names pods by DNS subdomain (ValidatePodName), so "web.v1" from a Kubernetes manifest is valid.
  nameRule: "DNS1123Subdomain",
  createClearsStatus: true,
  ...fieldsOf<Pod>({
    "metadata.name": (p) => p.metadata?.name ?? "",
    "metadata.namespace": (p) => p.metadata?.namespace ?? "",
    "spec.nodeName": (p) => p.spec?.nodeName ?? "",
    "spec.restartPolicy": (p) => p.spec?.restartPolicy ?? "",
    "spec.schedulerName": (p) => p.spec?.schedulerName ?? "",
    "spec.serviceAccountName": (p) => p.spec?.serviceAccountName ?? "",
    "status.phase": (p) => p.status?.phase ?? "",
    "status.podIP": (p) => p.status?.podIp ?? "",
  }),

  defaults: defaultPod,
  validate: (pod, written) => validatePodSpec(pod.spec, written.spec, "spec"),
  validateUpdate: validatePodUpdate,
  deletion: podDeletion,
  admission: podAdmission,

  printer: podPrinter,
  describe: podDescriber,
};
