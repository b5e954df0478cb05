/**
 * EndpointSlice: its identity, defaults and rules (Kubernetes' pkg/registry/discovery/endpointslice/strategy.go,
 * ValidateEndpointSlice).
 */
import { field, validateDNS1123Label, validateDNS1123Subdomain, type FieldError } from "@capstan/apimachinery";
import { isIP } from "node:net";
import { EndpointSlice } from "../../gen/capstan/v1/discovery.js";
import { messages, validateEndpointPorts } from "../../field-validation.js";
import { fieldsOf, type KindStrategy } from "../kind-strategy.js";
import { endpointSlicePrinter } from "./printer.js";

const { required, invalid, notSupported, tooLong } = field;

/** The label an EndpointSlice names its Service by. */
export const LABEL_SERVICE_NAME = "kubernetes.io/service-name";
const addressTypes = ["IPv4", "IPv6", "FQDN"];
const MAX_ENDPOINTS_PER_SLICE = 1000;
const MAX_ADDRESSES_PER_ENDPOINT = 100;
const MAX_PORTS_PER_SLICE = 100;

export const endpointSliceStrategy: KindStrategy<"EndpointSlice"> = {
  kind: "EndpointSlice",
  apiVersion: "discovery.k8s.io/v1",
  group: "discovery.k8s.io",
  namespaced: true,
  plural: "endpointslices",
  singular: "endpointslice",
  shortNames: [],
  objectField: "endpointSlice",
  messageFns: EndpointSlice,
  protoTypeName: ".capstan.v1.EndpointSlice",
  nameRule: "DNS1123Subdomain",
  createClearsStatus: false,
  ...fieldsOf<EndpointSlice>({
    "metadata.name": (e) => e.metadata?.name ?? "",
    "metadata.namespace": (e) => e.metadata?.namespace ?? "",
    addressType: (e) => e.addressType,
  }),

  defaults: defaultEndpointSlice,
  validate: validateEndpointSlice,

  printer: endpointSlicePrinter,
};

/** discovery/v1 SetDefaults_EndpointPort: TCP and an empty name. */
export function defaultEndpointSlice(slice: EndpointSlice): EndpointSlice {
  const out = EndpointSlice.fromPartial(slice);
  for (const port of out.ports) {
    port.name ??= "";
    port.protocol ??= "TCP";
  }
  return out;
}

/** ValidateEndpointSlice: an address type, addresses of that type, bounded sizes, ports with unique names. */
function validateEndpointSlice(slice: EndpointSlice): FieldError[] {
  const errs: FieldError[] = [];
  const type = slice.addressType;
  if (type === "") errs.push(required("addressType"));
  else if (!addressTypes.includes(type)) errs.push(notSupported("addressType", type, addressTypes));
  if (slice.endpoints.length > MAX_ENDPOINTS_PER_SLICE) errs.push(tooLong("endpoints", `must have at most ${MAX_ENDPOINTS_PER_SLICE} items`));
  slice.endpoints.forEach((endpoint, i) => {
    const p = `endpoints[${i}]`;
    if (endpoint.addresses.length === 0) errs.push(required(`${p}.addresses`, "must contain at least 1 address"));
    if (endpoint.addresses.length > MAX_ADDRESSES_PER_ENDPOINT) errs.push(tooLong(`${p}.addresses`, `must have at most ${MAX_ADDRESSES_PER_ENDPOINT} items`));
    endpoint.addresses.forEach((address, j) => {
      const ap = `${p}.addresses[${j}]`;
      if (type === "IPv4" && isIP(address) !== 4) errs.push(invalid(ap, address, "must be a valid IPv4 address"));
      if (type === "IPv6" && isIP(address) !== 6) errs.push(invalid(ap, address, "must be a valid IPv6 address"));
      if (type === "FQDN") errs.push(...messages(ap, address, validateDNS1123Subdomain(address)));
    });
    if (endpoint.hostname) errs.push(...messages(`${p}.hostname`, endpoint.hostname, validateDNS1123Label(endpoint.hostname)));
    if (endpoint.nodeName) errs.push(...messages(`${p}.nodeName`, endpoint.nodeName, validateDNS1123Subdomain(endpoint.nodeName)));
  });
  if (slice.ports.length > MAX_PORTS_PER_SLICE) errs.push(tooLong("ports", `must have at most ${MAX_PORTS_PER_SLICE} items`));
  errs.push(...validateEndpointPorts(slice.ports, "ports", false));
  return errs;
}
