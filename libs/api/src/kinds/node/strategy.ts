/** Node: its identity, defaults and rules (Kubernetes' pkg/registry/core/node/strategy.go, ValidateNode). */
import { field, validateLabelValue, validateQualifiedName, type FieldError } from "@capstan/apimachinery";
import { Node } from "../../gen/capstan/v1/core.js";
import { messages, taintEffects, validateResourceQuantity } from "../../field-validation.js";
import { fieldsOf, type KindStrategy } from "../kind-strategy.js";
import { nodePrinter } from "./printer.js";

const { required, notSupported, duplicate } = field;

export const nodeStrategy: KindStrategy<"Node"> = {
  kind: "Node",
  apiVersion: "v1",
  group: "",
  namespaced: false,
  plural: "nodes",
  singular: "node",
  shortNames: ["no"],
  objectField: "node",
  messageFns: Node,
  protoTypeName: ".capstan.v1.Node",
  nameRule: "DNS1123Subdomain",
  createClearsStatus: false,
  ...fieldsOf<Node>({
    "metadata.name": (n) => n.metadata?.name ?? "",
    "spec.unschedulable": (n) => String(n.spec?.unschedulable ?? false),
  }),

  defaults: defaultNode,
  validate: validateNode,

  printer: nodePrinter,
};

export function defaultNode(node: Node): Node {
  const out = Node.fromPartial(node);
  // A node that reports no allocatable offers its whole capacity.
  if (out.status && Object.keys(out.status.allocatable).length === 0) {
    out.status.allocatable = { ...out.status.capacity };
  }
  return out;
}

/** Taints with a qualified key, a label value and an effect, each key and effect once; capacity and allocatable quantities. */
function validateNode(node: Node): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (node.spec?.taints ?? []).forEach((t, i) => {
    const path = `spec.taints[${i}]`;
    if (t.key === "") errs.push(required(`${path}.key`));
    else errs.push(...messages(`${path}.key`, t.key, validateQualifiedName(t.key)));
    errs.push(...messages(`${path}.value`, t.value, validateLabelValue(t.value)));
    if (t.effect === "") errs.push(required(`${path}.effect`));
    else if (!taintEffects.includes(t.effect)) errs.push(notSupported(`${path}.effect`, t.effect, taintEffects));
    const key = `${t.key}:${t.effect}`;
    if (seen.has(key)) errs.push(duplicate(path, key));
    seen.add(key);
  });
  for (const [listName, list] of [["capacity", node.status?.capacity], ["allocatable", node.status?.allocatable]] as const) {
    for (const [name, q] of Object.entries(list ?? {})) {
      const path = `status.${listName}[${name}]`;
      errs.push(...messages(path, name, validateQualifiedName(name)), ...validateResourceQuantity(path, name, q));
    }
  }
  return errs;
}
