import type { Meter } from "@opentelemetry/api";

/**
 * process.cpu.time and process.memory.usage (OTel semantic conventions). The runtime instrumentation we
 * use covers the event loop and the V8 heap but not these two, and @opentelemetry/host-metrics, which
 * has them, would also bring machine-wide system.* metrics and a dependency on systeminformation.
 */
export function observeProcess(meter: Meter): void {
  meter
    .createObservableCounter("process.cpu.time", { description: "CPU time used by this process.", unit: "s" })
    .addCallback((result) => {
      const { user, system } = process.cpuUsage();
      result.observe(user / 1e6, { "cpu.mode": "user" });
      result.observe(system / 1e6, { "cpu.mode": "system" });
    });
  meter
    .createObservableUpDownCounter("process.memory.usage", { description: "Resident set size of this process.", unit: "By" })
    .addCallback((result) => result.observe(process.memoryUsage.rss()));
}
