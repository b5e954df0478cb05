import { dnsQueryDuration, type Meter } from "@capstan/telemetry";
import type { DnsMetrics } from "./dns-server.js";

/** One histogram of query durations; its count by rcode is the query and error rate ("dropped" when unanswered). */
export function createDnsMetrics(meter: Meter): DnsMetrics {
  const duration = dnsQueryDuration(meter);
  return {
    observeQuery: (q) =>
      duration.record(q.durationMs / 1000, { "network.transport": q.transport, "dns.rcode": q.rcode ?? "dropped", "capstan.dns.forwarded": q.forwarded }),
  };
}
