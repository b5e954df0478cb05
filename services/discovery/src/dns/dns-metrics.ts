import type { Meter } from "@capstan/telemetry";
import type { DnsMetrics } from "./dns-server.js";

type DnsQueryAttributes = {
  "network.transport": string;
  "dns.rcode": string;
  "capstan.dns.forwarded": boolean;
};

const LATENCY_BUCKETS_MS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500];

/** One histogram of query durations; its count by rcode is the query and error rate ("dropped" when unanswered). */
export function createDnsMetrics(meter: Meter): DnsMetrics {
  const duration = meter.createHistogram<DnsQueryAttributes>("capstan.dns.query.duration", {
    description: "Duration of DNS queries answered (or forwarded) by the cluster DNS.",
    unit: "ms",
    advice: { explicitBucketBoundaries: LATENCY_BUCKETS_MS },
  });
  return {
    observeQuery: (q) =>
      duration.record(q.durationMs, { "network.transport": q.transport, "dns.rcode": q.rcode ?? "dropped", "capstan.dns.forwarded": q.forwarded }),
  };
}
