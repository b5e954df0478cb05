import type { Container, Pod, Probe, Volume } from "@capstan/api";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";

/** Builders and polling for runtime tests. */
export function aContainer(name: string, image: string, fields: Partial<Container> = {}): Container {
  return {
    name,
    image,
    command: [],
    args: [],
    workingDir: "",
    env: [],
    envFrom: [],
    ports: [],
    volumeMounts: [],
    imagePullPolicy: "",
    terminationMessagePath: "",
    terminationMessagePolicy: "",
    ...fields,
  };
}

/** A Probe as the API defaults it (period 10 s, timeout 1 s, thresholds 1 and 3), with `fields` on top. */
function aProbe(handler: Pick<Probe, "exec" | "httpGet" | "tcpSocket">, fields: Partial<Probe>): Probe {
  return { initialDelaySeconds: 0, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3, ...handler, ...fields };
}

export function anHTTPGetProbe(path: string, port: number | string, fields: Partial<Probe> = {}): Probe {
  return aProbe({ httpGet: { path, port: String(port), host: "", scheme: "HTTP", httpHeaders: [] } }, fields);
}

export function aTCPSocketProbe(port: number | string, fields: Partial<Probe> = {}): Probe {
  return aProbe({ tcpSocket: { port: String(port), host: "" } }, fields);
}

export function anExecProbe(command: string[], fields: Partial<Probe> = {}): Probe {
  return aProbe({ exec: { command } }, fields);
}

export class PodBuilder {
  private readonly pod: Pod;

  constructor(name: string) {
    this.pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name,
        generateName: "",
        namespace: "default",
        uid: `${name}-${randomBytes(4).toString("hex")}`,
        labels: {},
        annotations: {},
        ownerReferences: [],
        finalizers: [],
        managedFields: [],
        resourceVersion: "1",
        generation: 1,
        creationTimestamp: new Date().toISOString(),
      },
      spec: {
        containers: [],
        initContainers: [],
        volumes: [],
        restartPolicy: "Always",
        nodeName: "node-1",
        nodeSelector: {},
        tolerations: [],
        hostname: "",
        subdomain: "",
        schedulerName: "default-scheduler",
        serviceAccountName: "",
        dnsPolicy: "ClusterFirst",
        priorityClassName: "",
        topologySpreadConstraints: [],
        overhead: {},
        schedulingGates: [],
      },
    };
  }

  with(container: Container): this {
    this.pod.spec?.containers.push(container);
    return this;
  }

  withInit(container: Container): this {
    this.pod.spec?.initContainers.push(container);
    return this;
  }

  withVolume(volume: Volume): this {
    this.pod.spec?.volumes.push(volume);
    return this;
  }

  restartPolicy(policy: "Always" | "OnFailure" | "Never"): this {
    if (this.pod.spec) this.pod.spec.restartPolicy = policy;
    return this;
  }

  build(): Pod {
    return structuredClone(this.pod);
  }
}

export function aPod(name: string): PodBuilder {
  return new PodBuilder(name);
}

/** Retries `check` (which throws until satisfied) every `intervalMs` until it passes or the deadline hits. */
export async function eventually<T>(check: () => T | Promise<T>, opts: { timeoutMs?: number; intervalMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
    await sleep(opts.intervalMs ?? 50);
  }
}

export { FakeClock } from "@capstan/apimachinery/testing";
