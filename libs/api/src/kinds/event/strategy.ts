/** Event: its identity and rules (Kubernetes' pkg/registry/core/event/strategy.go, ValidateEvent). */
import { field, type FieldError } from "@capstan/apimachinery";
import { Event } from "../../gen/capstan/v1/core.js";
import { fieldsOf, type KindStrategy } from "../kind-strategy.js";
import { eventDescriber, eventPrinter } from "./printer.js";

const { invalid } = field;

export const eventStrategy: KindStrategy<"Event"> = {
  kind: "Event",
  apiVersion: "v1",
  group: "",
  namespaced: true,
  plural: "events",
  singular: "event",
  shortNames: ["ev"],
  objectField: "event",
  messageFns: Event,
  protoTypeName: ".capstan.v1.Event",
  nameRule: "DNS1123Subdomain",
  createClearsStatus: false,
  ...fieldsOf<Event>({
    "metadata.name": (e) => e.metadata?.name ?? "",
    "metadata.namespace": (e) => e.metadata?.namespace ?? "",
    "involvedObject.kind": (e) => e.involvedObject?.kind ?? "",
    "involvedObject.namespace": (e) => e.involvedObject?.namespace ?? "",
    "involvedObject.name": (e) => e.involvedObject?.name ?? "",
    "involvedObject.uid": (e) => e.involvedObject?.uid ?? "",
    "involvedObject.apiVersion": (e) => e.involvedObject?.apiVersion ?? "",
    "involvedObject.resourceVersion": (e) => e.involvedObject?.resourceVersion ?? "",
    "involvedObject.fieldPath": (e) => e.involvedObject?.fieldPath ?? "",
    reason: (e) => e.reason,
    reportingComponent: (e) => e.reportingComponent,
    source: (e) => e.source?.component ?? "",
    type: (e) => e.type,
  }),

  validate: validateEvent,

  printer: eventPrinter,
  describe: eventDescriber,
};

/** An event lives in the namespace of the object it is about. */
function validateEvent(event: Event): FieldError[] {
  const involved = event.involvedObject?.namespace ?? "";
  if (involved !== "" && event.metadata?.namespace && involved !== event.metadata.namespace) {
    return [invalid("involvedObject.namespace", involved, "does not match event.namespace")];
  }
  return [];
}
