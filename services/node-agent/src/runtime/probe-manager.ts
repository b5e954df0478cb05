import type { Counter } from "@opentelemetry/api";
import type { ProbeAttributes, ProbeResult as ProbeResultName } from "@capstan/telemetry";
import { execCommand, type Sandbox } from "./container-sandbox.js";
import type { ContainerProcess, ContainerRecord, PodRecord } from "./pod-record.js";
import { containerProbes, resolveProbePort, type ProbeResult, type ProbeSpec, type ProbeType } from "./probe.js";
import { execProbe, httpGetProbe, tcpSocketProbe } from "./probe-handlers.js";
import { ContainerProber, type ProberEvents } from "./prober.js";
import type { RuntimeLogger } from "./runtime.js";
import type { RuntimeListeners } from "./runtime-listeners.js";

const probeTitle: Record<ProbeType, string> = { liveness: "Liveness", readiness: "Readiness", startup: "Startup" };
/** prober_probe_total's result names: an errored probe is "unknown", as the kubelet's. */
const resultName: Record<ProbeResult["result"], ProbeResultName> = { Success: "successful", Failure: "failed", Error: "unknown" };

/**
 * The probes of running container instances, as the kubelet's prober manager runs them: a ContainerProber
 * per instance, its exec, httpGet and tcpSocket probes run against the container, its results written to
 * the container's status and events. What to do with an unhealthy container is the caller's.
 */
export class ProbeManager {
  constructor(
    private readonly sandbox: Sandbox,
    private readonly listeners: RuntimeListeners,
    private readonly logger: RuntimeLogger,
    private readonly results?: Counter<ProbeAttributes>,
  ) {}

  /**
   * Without probes a running container is started and ready. A startup probe holds `started` (and so
   * `ready`) back until it passes; a readiness probe holds `ready` back until it passes. `started` is
   * called when a startup probe passes.
   */
  start(rec: PodRecord, c: ContainerRecord, proc: ContainerProcess, unhealthy: ProberEvents["unhealthy"], started: () => void = () => {}): void {
    const probes = containerProbes(c.spec);
    const name = c.spec.name;
    const prober = new ContainerProber({
      probes,
      startedAtMs: Date.now(),
      run: async (type, spec, signal) => {
        const result = await this.runProbe(rec, c, proc, spec, signal);
        this.results?.add(1, { "capstan.probe.type": type, "capstan.probe.result": resultName[result.result] });
        return result;
      },
      events: {
        probeFailed: (type, result) => {
          const verb = result.result === "Error" ? "errored" : "failed";
          this.listeners.emit(rec.uid, "Warning", "Unhealthy", `${probeTitle[type]} probe ${verb}: ${result.output}`, name);
        },
        stateChanged: (state) => {
          if (c.process !== proc) return;
          const startedNow = state.started && !c.status.started;
          c.status.started = state.started;
          c.status.ready = state.ready;
          this.listeners.notify(rec.uid);
          if (startedNow) started();
        },
        unhealthy,
        error: (e) => this.logger.warn("probe listener failed", { podUid: rec.uid, container: name, error: errorMessage(e) }),
      },
    });
    proc.prober = prober;
    c.status.started = prober.state.started;
    c.status.ready = prober.state.ready;
    prober.start();
  }

  /** Runs one probe of a running container; resolves (never rejects) within the probe's timeout. */
  private async runProbe(rec: PodRecord, c: ContainerRecord, proc: ContainerProcess, spec: ProbeSpec, signal: AbortSignal): Promise<ProbeResult> {
    const handler = spec.handler;
    const timeoutMs = spec.timeoutSeconds * 1000;
    switch (handler.kind) {
      case "exec": {
        if (proc.pid === undefined) return { result: "Error", output: "the container has no process" };
        const cmd = execCommand({ pid: proc.pid, argv: handler.command, workingDir: c.spec.workingDir }, this.sandbox);
        return execProbe({ file: cmd.file, args: cmd.args, ...(cmd.cwd !== undefined ? { cwd: cmd.cwd } : {}), env: proc.env, command: handler.command, timeoutMs }, signal);
      }
      case "httpGet": {
        const port = resolveProbePort(handler.port, c.spec);
        if ("error" in port) return { result: "Error", output: port.error };
        const host = handler.host || rec.identity.podIP;
        return httpGetProbe({ scheme: handler.scheme, host, port: port.port, path: handler.path, headers: handler.httpHeaders, timeoutMs }, signal);
      }
      case "tcpSocket": {
        const port = resolveProbePort(handler.port, c.spec);
        if ("error" in port) return { result: "Error", output: port.error };
        return tcpSocketProbe({ host: handler.host || rec.identity.podIP, port: port.port, timeoutMs }, signal);
      }
    }
  }
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
