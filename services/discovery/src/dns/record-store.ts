import { isIPv4, isIPv6 } from "node:net";
import type { Answer, SoaAnswer } from "dns-packet";

export type Protocol = "TCP" | "UDP" | "SCTP";

export interface ServicePort {
  readonly name?: string;
  readonly protocol: Protocol;
  readonly port: number;
}

/** The parts of a Service that DNS needs. `clusterIP: "None"` is a headless Service. */
export interface ServiceRecord {
  readonly namespace: string;
  readonly name: string;
  readonly clusterIP: string;
  readonly ports: readonly ServicePort[];
  readonly externalName?: string;
  readonly publishNotReadyAddresses?: boolean;
}

export interface EndpointAddress {
  readonly ip: string;
  readonly hostname?: string;
  readonly ready: boolean;
}

export type EndpointPort = ServicePort;

/**
 * What the store says about one question. `outside` means the name is not ours (another zone, or a
 * reverse name for an IP we do not know) and the server should forward it.
 */
export type Lookup =
  | { readonly kind: "outside" }
  | {
      readonly kind: "authoritative";
      readonly rcode: "NOERROR" | "NXDOMAIN";
      readonly answers: Answer[];
      readonly authorities: Answer[];
      readonly additionals: Answer[];
    };

/** Anything the DNS server can ask for answers. */
export interface RecordSource {
  /** `type` is the question type as dns-packet names it ("A", "SRV", "ANY", …). */
  lookup(name: string, type: string): Lookup;
  /** Changes whenever an answer may have; while it stands, the server may reuse answers it encoded. */
  readonly version?: number;
}

export interface RecordStoreOptions {
  /** The cluster domain; "cluster.local" unless told. */
  readonly zone?: string;
  /** TTL of every answer and of negative answers (SOA minimum), in seconds; 5 unless told. */
  readonly ttl?: number;
}

interface StoredEndpoints {
  readonly addresses: readonly EndpointAddress[];
  readonly ports: readonly EndpointPort[];
}

const HEADLESS = "None";
const REVERSE_V4_SUFFIX = ".in-addr.arpa";

/**
 * An in-memory copy of the cluster's Services and Endpoints, kept current by set/delete calls, that
 * answers DNS questions after the Kubernetes DNS specification (services, headless services, SRV for
 * named ports, StatefulSet-style pod hostnames, ExternalName, reverse names).
 */
export class InMemoryRecordStore implements RecordSource {
  readonly zone: string;
  readonly ttl: number;
  private readonly services = new Map<string, ServiceRecord>();
  private readonly endpoints = new Map<string, StoredEndpoints>();
  private readonly servicesPerNamespace = new Map<string, number>();
  /** ip → (service key → names), so one service's change replaces only its own reverse names. */
  private readonly reverse = new Map<string, Map<string, string[]>>();
  private readonly reverseIpsByService = new Map<string, string[]>();
  private serial = 1;

  constructor(options: RecordStoreOptions = {}) {
    this.zone = normalizeName(options.zone ?? "cluster.local");
    this.ttl = options.ttl ?? 5;
  }

  /** The zone's SOA serial, which every change advances. */
  get version(): number {
    return this.serial;
  }

  setService(service: ServiceRecord): void {
    const key = keyOf(service.namespace, service.name);
    if (!this.services.has(key)) {
      this.servicesPerNamespace.set(service.namespace, (this.servicesPerNamespace.get(service.namespace) ?? 0) + 1);
    }
    this.services.set(key, service);
    this.changed(key);
  }

  deleteService(namespace: string, name: string): void {
    const key = keyOf(namespace, name);
    if (!this.services.delete(key)) return;
    const remaining = (this.servicesPerNamespace.get(namespace) ?? 1) - 1;
    if (remaining > 0) this.servicesPerNamespace.set(namespace, remaining);
    else this.servicesPerNamespace.delete(namespace);
    this.changed(key);
  }

  /** Endpoints may arrive before their Service; they are kept and used once it exists. */
  setEndpoints(namespace: string, service: string, addresses: readonly EndpointAddress[], ports: readonly EndpointPort[]): void {
    const key = keyOf(namespace, service);
    this.endpoints.set(key, { addresses, ports });
    this.changed(key);
  }

  deleteEndpoints(namespace: string, service: string): void {
    const key = keyOf(namespace, service);
    if (this.endpoints.delete(key)) this.changed(key);
  }

  lookup(name: string, type: string): Lookup {
    const fqdn = normalizeName(name);
    if (fqdn.endsWith(REVERSE_V4_SUFFIX)) return this.lookupReverse(fqdn, type);
    if (fqdn !== this.zone && !fqdn.endsWith(`.${this.zone}`)) return { kind: "outside" };

    const records = this.recordsAt(fqdn);
    if (records === undefined) return this.negative("NXDOMAIN");
    // A name with a CNAME has nothing else; the resolver follows it for whatever type it asked.
    const matching = records.filter((r) => r.type === type || type === "ANY" || r.type === "CNAME");
    if (matching.length === 0) return this.negative("NOERROR");
    return { kind: "authoritative", rcode: "NOERROR", answers: matching, authorities: [], additionals: this.additionalsFor(matching) };
  }

  /** The SOA of the zone, also sent in the authority section of negative answers. */
  soa(): SoaAnswer {
    return {
      type: "SOA",
      name: this.zone,
      ttl: this.ttl,
      data: {
        mname: `ns.dns.${this.zone}`,
        rname: `hostmaster.${this.zone}`,
        serial: this.serial,
        refresh: 7200,
        retry: 1800,
        expire: 86400,
        minimum: this.ttl,
      },
    };
  }

  /** Every record at a name in the zone; undefined when the name does not exist, [] when it exists empty. */
  private recordsAt(fqdn: string): Answer[] | undefined {
    if (fqdn === this.zone) return [this.soa(), { type: "NS", name: this.zone, ttl: this.ttl, data: `ns.dns.${this.zone}` }];
    // Labels read from the zone outwards: svc, <ns>, <svc>, then <endpoint> or _<proto>, _<port>.
    const labels = fqdn.slice(0, -(this.zone.length + 1)).split(".").reverse();
    if (labels[0] !== "svc") return undefined;
    const [, namespace, serviceName, fourth, fifth, ...rest] = labels;
    if (namespace === undefined) return [];
    if (serviceName === undefined) return this.servicesPerNamespace.has(namespace) ? [] : undefined;
    const service = this.services.get(keyOf(namespace, serviceName));
    if (service === undefined || rest.length > 0) return undefined;
    if (fourth === undefined) return this.serviceRecords(service, fqdn);
    if (service.externalName !== undefined) return undefined;
    if (fourth.startsWith("_")) {
      const protocol = fourth.slice(1).toUpperCase();
      const ports = this.namedPorts(service).filter((p) => p.protocol === protocol);
      if (fifth === undefined) return ports.length > 0 ? [] : undefined;
      if (!fifth.startsWith("_")) return undefined;
      const port = ports.find((p) => p.name.toLowerCase() === fifth.slice(1));
      return port === undefined ? undefined : this.srvRecords(service, port, fqdn);
    }
    if (fifth !== undefined || !isHeadless(service)) return undefined;
    const endpoint = this.publishedAddresses(service).find((a) => endpointLabel(a) === fourth);
    return endpoint === undefined ? undefined : [addressRecord(fqdn, endpoint.ip, this.ttl)];
  }

  private serviceRecords(service: ServiceRecord, fqdn: string): Answer[] {
    if (service.externalName !== undefined) {
      return [{ type: "CNAME", name: fqdn, ttl: this.ttl, data: normalizeName(service.externalName) }];
    }
    if (isHeadless(service)) return this.publishedAddresses(service).map((a) => addressRecord(fqdn, a.ip, this.ttl));
    if (isIPv4(service.clusterIP) || isIPv6(service.clusterIP)) return [addressRecord(fqdn, service.clusterIP, this.ttl)];
    return [];
  }

  private srvRecords(service: ServiceRecord, port: NamedPort, fqdn: string): Answer[] {
    const serviceName = this.serviceName(service);
    const targets = isHeadless(service)
      ? this.publishedAddresses(service).map((a) => ({ target: `${endpointLabel(a)}.${serviceName}`, port: port.port }))
      : [{ target: serviceName, port: port.port }];
    const weight = targets.length === 0 ? 0 : Math.max(1, Math.floor(100 / targets.length));
    return targets.map(({ target, port: p }) => ({ type: "SRV", name: fqdn, ttl: this.ttl, data: { priority: 0, weight, port: p, target } }));
  }

  /** Ports that may have SRV records: a headless service's come from its Endpoints (the target ports). */
  private namedPorts(service: ServiceRecord): NamedPort[] {
    const ports = isHeadless(service) ? (this.endpoints.get(keyOf(service.namespace, service.name))?.ports ?? service.ports) : service.ports;
    return ports.filter((p): p is NamedPort => p.name !== undefined && p.name !== "");
  }

  private publishedAddresses(service: ServiceRecord): readonly EndpointAddress[] {
    const stored = this.endpoints.get(keyOf(service.namespace, service.name));
    if (stored === undefined) return [];
    return stored.addresses.filter((a) => a.ready || service.publishNotReadyAddresses === true);
  }

  private additionalsFor(answers: readonly Answer[]): Answer[] {
    const additionals: Answer[] = [];
    for (const answer of answers) {
      if (answer.type !== "SRV") continue;
      const target = this.recordsAt(answer.data.target);
      for (const record of target ?? []) if (record.type === "A" || record.type === "AAAA") additionals.push(record);
    }
    return additionals;
  }

  private lookupReverse(fqdn: string, type: string): Lookup {
    const ip = ipFromReverseName(fqdn);
    const names = ip === undefined ? undefined : this.reverse.get(ip);
    if (names === undefined) return { kind: "outside" };
    if (type !== "PTR" && type !== "ANY") return this.negative("NOERROR");
    const targets = [...new Set([...names.values()].flat())].sort();
    return {
      kind: "authoritative",
      rcode: "NOERROR",
      answers: targets.map((data) => ({ type: "PTR", name: fqdn, ttl: this.ttl, data })),
      authorities: [],
      additionals: [],
    };
  }

  private negative(rcode: "NOERROR" | "NXDOMAIN"): Lookup {
    return { kind: "authoritative", rcode, answers: [], authorities: [this.soa()], additionals: [] };
  }

  private serviceName(service: ServiceRecord): string {
    return `${service.name}.${service.namespace}.svc.${this.zone}`;
  }

  /** Recomputes the reverse names one service contributes: its cluster IP and its endpoints' IPs. */
  private changed(key: string): void {
    this.serial = (this.serial % 0xffffffff) + 1;
    for (const ip of this.reverseIpsByService.get(key) ?? []) {
      const byService = this.reverse.get(ip);
      byService?.delete(key);
      if (byService?.size === 0) this.reverse.delete(ip);
    }
    this.reverseIpsByService.delete(key);

    const service = this.services.get(key);
    if (service === undefined || service.externalName !== undefined) return;
    const serviceName = this.serviceName(service);
    const contributions = new Map<string, string[]>();
    const add = (ip: string, name: string): void => {
      if (!isIPv4(ip)) return;
      contributions.set(ip, [...(contributions.get(ip) ?? []), name]);
    };
    if (!isHeadless(service)) add(service.clusterIP, serviceName);
    for (const address of this.publishedAddresses(service)) add(address.ip, `${endpointLabel(address)}.${serviceName}`);
    for (const [ip, names] of contributions) {
      let byService = this.reverse.get(ip);
      if (byService === undefined) this.reverse.set(ip, (byService = new Map()));
      byService.set(key, names);
    }
    this.reverseIpsByService.set(key, [...contributions.keys()]);
  }
}

export function createRecordStore(options: RecordStoreOptions = {}): InMemoryRecordStore {
  return new InMemoryRecordStore(options);
}

type NamedPort = ServicePort & { readonly name: string };

function keyOf(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function isHeadless(service: ServiceRecord): boolean {
  return service.clusterIP === HEADLESS;
}

/** DNS names are case-insensitive and may come fully qualified with a trailing dot. */
export function normalizeName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
}

/** A pod's label under a headless service: its hostname, or its IP with dashes (10-0-0-1). */
function endpointLabel(address: EndpointAddress): string {
  if (address.hostname !== undefined && address.hostname !== "") return address.hostname.toLowerCase();
  return address.ip.toLowerCase().replace(/[.:]/g, "-");
}

function addressRecord(name: string, ip: string, ttl: number): Answer {
  return isIPv6(ip) ? { type: "AAAA", name, ttl, data: ip } : { type: "A", name, ttl, data: ip };
}

function ipFromReverseName(fqdn: string): string | undefined {
  const octets = fqdn.slice(0, -REVERSE_V4_SUFFIX.length).split(".");
  if (octets.length !== 4) return undefined;
  const ip = octets.reverse().join(".");
  return isIPv4(ip) ? ip : undefined;
}
