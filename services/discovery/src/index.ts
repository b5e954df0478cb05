export { InMemoryRecordStore, createRecordStore, normalizeName } from "./dns/record-store.js";
export type {
  EndpointAddress,
  EndpointPort,
  Lookup,
  Protocol,
  RecordSource,
  RecordStoreOptions,
  ServicePort,
  ServiceRecord,
} from "./dns/record-store.js";
export { startDnsServer } from "./dns/dns-server.js";
export type { DnsMetrics, DnsQueryObservation, DnsServer, DnsServerOptions, Rcode, Transport } from "./dns/dns-server.js";
export type { Upstream } from "./dns/dns-server.js";
