/** Endpoints: its identity, defaults and rules (Kubernetes' pkg/registry/core/endpoint/strategy.go, ValidateEndpoints). */
import { field, validateDNS1123Label, validateDNS1123Subdomain, type FieldError } from "@capstan/apimachinery";
import { Endpoints, type EndpointAddress, type EndpointPort } from "../../gen/capstan/v1/core.js";
import { messages, validateEndpointPorts, validateIP } from "../../field-validation.js";
import { fieldsOf, type KindStrategy } from "../kind-strategy.js";
import { endpointsPrinter } from "./printer.js";

const { required } = field;

export const endpointsStrategy: KindStrategy<"Endpoints"> = {
  kind: "Endpoints",
  apiVersion: "v1",
  group: "",
  namespaced: true,
  plural: "endpoints",
  singular: "endpoints",
  shortNames: ["ep"],
  objectField: "endpoints",
  messageFns: Endpoints,
  protoTypeName: ".capstan.v1.Endpoints",
  nameRule: "DNS1123Subdomain",
  createClearsStatus: false,
  ...fieldsOf<Endpoints>({
    "metadata.name": (e) => e.metadata?.name ?? "",
    "metadata.namespace": (e) => e.metadata?.namespace ?? "",
  }),

  defaults: defaultEndpoints,
  validate: validateEndpoints,

  printer: endpointsPrinter,
};

/** core/v1 SetDefaults_EndpointPort: TCP. */
export function defaultEndpoints(endpoints: Endpoints): Endpoints {
  const out = Endpoints.fromPartial(endpoints);
  for (const subset of out.subsets) for (const port of subset.ports) port.protocol ||= "TCP";
  return out;
}

/** ValidateEndpoints: every address an IP, every port numbered, named when there are several. */
function validateEndpoints(endpoints: Endpoints): FieldError[] {
  const errs: FieldError[] = [];
  endpoints.subsets.forEach((subset, i) => {
    const p = `subsets[${i}]`;
    if (subset.addresses.length === 0 && subset.notReadyAddresses.length === 0) {
      errs.push(required(p, "must specify `addresses` or `notReadyAddresses`"));
    }
    subset.addresses.forEach((a, j) => errs.push(...validateEndpointAddress(a, `${p}.addresses[${j}]`)));
    subset.notReadyAddresses.forEach((a, j) => errs.push(...validateEndpointAddress(a, `${p}.notReadyAddresses[${j}]`)));
    errs.push(...validateEndpointPorts(subset.ports as readonly EndpointPort[], `${p}.ports`, true));
  });
  return errs;
}

/** An address: an IP, and a DNS label hostname and a node name when given. */
function validateEndpointAddress(address: EndpointAddress, path: string): FieldError[] {
  const errs = address.ip === "" ? [required(`${path}.ip`)] : validateIP(`${path}.ip`, address.ip);
  if (address.hostname !== "") errs.push(...messages(`${path}.hostname`, address.hostname, validateDNS1123Label(address.hostname)));
  if (address.nodeName) errs.push(...messages(`${path}.nodeName`, address.nodeName, validateDNS1123Subdomain(address.nodeName)));
  return errs;
}
