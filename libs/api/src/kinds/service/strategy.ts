/** Service: its identity, defaults and rules (Kubernetes' pkg/registry/core/service/strategy.go, ValidateService). */
import { field, validateDNS1123Label, validateDNS1123Subdomain, validateLabels, validatePortNumber, type FieldError } from "@capstan/apimachinery";
import { Service, ServiceSpec } from "../../gen/capstan/v1/core.js";
import { messages, validateIP, validatePortNumOrName } from "../../field-validation.js";
import { fieldsOf, type KindAdmission, type KindStrategy } from "../kind-strategy.js";
import { serviceDescriber } from "./describe.js";
import { servicePrinter } from "./printer.js";
import { ALLOCATION_KEYS, CLUSTER_IP_NONE, serviceUpdateRequest, withServiceAllocations } from "./service-allocation.js";

const { required, invalid, notSupported, duplicate, forbidden } = field;

const serviceTypes = ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"];
const serviceProtocols = ["TCP", "UDP"];
const sessionAffinities = ["None", "ClientIP"];
const trafficPolicies = ["Cluster", "Local"];

/**
 * Every Service write reads both allocation records in its own snapshot and writes them beside the
 * Service; an update first keeps what it may not change (see serviceUpdateRequest).
 */
export const serviceAllocationAdmission: KindAdmission = {
  create: (key, service, decide, ctx) => ({ decide: withServiceAllocations(key, ctx.serviceAllocator, ctx.newUid(), decide(service)), reads: ALLOCATION_KEYS }),
  update: (key, requested, decide, ctx) => ({
    decide: withServiceAllocations(key, ctx.serviceAllocator, ctx.newUid(), (current, read) => {
      if (!current) return decide(requested)(current, read);
      const asked = serviceUpdateRequest(key, current.object, requested);
      return "error" in asked ? asked : decide(asked.object)(current, read);
    }),
    reads: ALLOCATION_KEYS,
  }),
  delete: (key, decide, ctx) => ({ decide: withServiceAllocations(key, ctx.serviceAllocator, ctx.newUid(), decide), reads: ALLOCATION_KEYS }),
};

export const serviceStrategy: KindStrategy<"Service"> = {
  kind: "Service",
  apiVersion: "v1",
  group: "",
  namespaced: true,
  plural: "services",
  singular: "service",
  shortNames: ["svc"],
  objectField: "service",
  messageFns: Service,
  protoTypeName: ".capstan.v1.Service",
  // Services are DNS labels (ValidateServiceName), since their name is a label of svc.ns.svc.cluster.local.
  nameRule: "DNS1123Label",
  // status.loadBalancer is written by the gateway (or a load balancer controller), never taken from a create.
  createClearsStatus: true,
  ...fieldsOf<Service>({
    "metadata.name": (s) => s.metadata?.name ?? "",
    "metadata.namespace": (s) => s.metadata?.namespace ?? "",
    "spec.clusterIP": (s) => s.spec?.clusterIp ?? "",
    "spec.type": (s) => s.spec?.type ?? "",
  }),

  defaults: defaultService,
  validate: (service) => validateServiceSpec(service, "spec"),
  admission: serviceAllocationAdmission,

  printer: servicePrinter,
  describe: serviceDescriber,
};

/**
 * core/v1 SetDefaults_Service: type ClusterIP, sessionAffinity None, each port TCP with targetPort =
 * port, externalTrafficPolicy Cluster for services reached from outside, internalTrafficPolicy Cluster,
 * and clusterIPs from a clusterIP given alone. The clusterIP itself is the gateway's to allocate.
 */
export function defaultService(service: Service): Service {
  const out = Service.fromPartial(service);
  const spec = (out.spec ??= ServiceSpec.create());
  spec.type ||= "ClusterIP";
  spec.sessionAffinity ||= "None";
  for (const port of spec.ports) {
    port.protocol ||= "TCP";
    if (port.targetPort === "" && port.port !== 0) port.targetPort = String(port.port);
  }
  if (spec.type === "NodePort" || spec.type === "LoadBalancer") spec.externalTrafficPolicy ||= "Cluster";
  if (spec.type !== "ExternalName") spec.internalTrafficPolicy ??= "Cluster";
  if (spec.clusterIp !== "" && spec.clusterIps.length === 0) spec.clusterIps = [spec.clusterIp];
  return out;
}

/** ValidateService: type, clusterIP, ports (names, numbers, protocols, targetPort, nodePort), selector, affinity. */
function validateServiceSpec(service: Service, path: string): FieldError[] {
  const spec: ServiceSpec | undefined = service.spec;
  const errs: FieldError[] = [];
  const type = spec?.type ?? "";
  const clusterIP = spec?.clusterIp ?? "";
  const headless = clusterIP === CLUSTER_IP_NONE;
  if (!serviceTypes.includes(type)) errs.push(notSupported(`${path}.type`, type, serviceTypes));

  if (type === "ExternalName") {
    const name = spec?.externalName ?? "";
    if (name === "") errs.push(required(`${path}.externalName`));
    else errs.push(...messages(`${path}.externalName`, name, validateDNS1123Subdomain(name.endsWith(".") ? name.slice(0, -1) : name)));
    if (clusterIP !== "") errs.push(forbidden(`${path}.clusterIP`, "may not be set for ExternalName services"));
  } else if (headless) {
    if (type !== "ClusterIP") errs.push(invalid(`${path}.clusterIP`, clusterIP, `may not be set to 'None' for ${type} services`));
  } else if (clusterIP !== "") {
    errs.push(...validateIP(`${path}.clusterIP`, clusterIP));
  }
  const clusterIPs = spec?.clusterIps ?? [];
  if (clusterIPs.length > 0 && clusterIPs[0] !== clusterIP) {
    errs.push(invalid(`${path}.clusterIPs[0]`, clusterIPs[0], "must match `spec.clusterIP`"));
  }
  if (clusterIPs.length > 1) errs.push(invalid(`${path}.clusterIPs`, clusterIPs, "may only hold one IP family's address"));

  const ports = spec?.ports ?? [];
  if (ports.length === 0 && !headless && type !== "ExternalName") errs.push(required(`${path}.ports`));
  const names = new Set<string>();
  const portKeys = new Set<string>();
  const nodePorts = new Set<string>();
  ports.forEach((port, i) => {
    const p = `${path}.ports[${i}]`;
    if (port.name === "") {
      if (ports.length > 1) errs.push(required(`${p}.name`));
    } else if (names.has(port.name)) {
      errs.push(duplicate(`${p}.name`, port.name));
    } else {
      errs.push(...messages(`${p}.name`, port.name, validateDNS1123Label(port.name)));
    }
    names.add(port.name);
    if (port.port === 0) errs.push(required(`${p}.port`));
    else errs.push(...messages(`${p}.port`, port.port, validatePortNumber(port.port)));
    if (!serviceProtocols.includes(port.protocol)) errs.push(notSupported(`${p}.protocol`, port.protocol, serviceProtocols));
    const key = `${port.port}/${port.protocol}`;
    if (portKeys.has(key)) errs.push(duplicate(p, { port: port.port, protocol: port.protocol }));
    portKeys.add(key);
    errs.push(...validatePortNumOrName(port.targetPort, `${p}.targetPort`));
    if (port.nodePort !== 0) {
      if (type === "ClusterIP" || type === "ExternalName") {
        errs.push(forbidden(`${p}.nodePort`, `may not be used when \`type\` is '${type}'`));
      } else {
        errs.push(...messages(`${p}.nodePort`, port.nodePort, validatePortNumber(port.nodePort)));
        const nodeKey = `${port.nodePort}/${port.protocol}`;
        if (nodePorts.has(nodeKey)) errs.push(duplicate(`${p}.nodePort`, port.nodePort));
        nodePorts.add(nodeKey);
      }
    }
  });

  errs.push(...validateLabels(spec?.selector, `${path}.selector`));
  const affinity = spec?.sessionAffinity ?? "";
  if (!sessionAffinities.includes(affinity)) errs.push(notSupported(`${path}.sessionAffinity`, affinity, sessionAffinities));
  if (type === "ExternalName" && affinity === "ClientIP") {
    errs.push(forbidden(`${path}.sessionAffinity`, "may not be used when `type` is 'ExternalName'"));
  }
  const external = spec?.externalTrafficPolicy ?? "";
  if (type === "NodePort" || type === "LoadBalancer") {
    if (!trafficPolicies.includes(external)) errs.push(notSupported(`${path}.externalTrafficPolicy`, external, trafficPolicies));
  } else if (external !== "") {
    errs.push(invalid(`${path}.externalTrafficPolicy`, external, "may only be set when `type` is 'NodePort' or 'LoadBalancer'"));
  }
  const internal = spec?.internalTrafficPolicy;
  if (internal !== undefined && !trafficPolicies.includes(internal)) errs.push(notSupported(`${path}.internalTrafficPolicy`, internal, trafficPolicies));
  (spec?.externalIps ?? []).forEach((ip, i) => errs.push(...validateIP(`${path}.externalIPs[${i}]`, ip)));
  if (spec?.loadBalancerIp) {
    if (type !== "LoadBalancer") errs.push(forbidden(`${path}.loadBalancerIP`, "may only be used when `type` is 'LoadBalancer'"));
    else errs.push(...validateIP(`${path}.loadBalancerIP`, spec.loadBalancerIp));
  }
  return errs;
}
