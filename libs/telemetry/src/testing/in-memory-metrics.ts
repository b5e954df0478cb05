import type { Attributes, Meter } from "@opentelemetry/api";
import { DataPointType, MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";

class PullReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

export interface MetricPoint {
  readonly attributes: Attributes;
  /** A sum's or gauge's value, or a histogram's count. */
  readonly value: number;
  /** A histogram's sum of recorded values; undefined for other instruments. */
  readonly sum: number | undefined;
}

/** A real SDK meter whose metrics a test reads back. */
export class InMemoryMetrics {
  private readonly reader = new PullReader();
  readonly meter: Meter;

  constructor() {
    this.meter = new MeterProvider({ readers: [this.reader] }).getMeter("test");
  }

  async points(name: string): Promise<MetricPoint[]> {
    const { resourceMetrics } = await this.reader.collect();
    const metric = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name);
    if (!metric) return [];
    const histogram = metric.dataPointType === DataPointType.HISTOGRAM;
    return metric.dataPoints.map((p) => ({
      attributes: p.attributes,
      value: histogram ? (p.value as { count: number }).count : (p.value as number),
      sum: histogram ? (p.value as { sum: number }).sum : undefined,
    }));
  }
}
