import { LABEL_SERVICE_NAME } from "@capstan/api";
import type { JsonObject } from "@capstan/client";
import { metadataOf, type Informer } from "@capstan/controller-runtime";
import type { Counter, Meter } from "@opentelemetry/api";
import { endpointsOf, usableEndpoints } from "./endpoints.js";
import { proxyConnections, type ProxyConnectionAttributes } from "./proxy-metrics.js";
import { createProxySocket } from "./create-proxy-socket.js";
import type { ProxySocket } from "./proxy-socket.js";
import { RoundRobin } from "./round-robin.js";
import { listenAddressKey, servicePortsOf, type ListenAddress, type ServicePort } from "./service-port.js";

/** EndpointSlices by "namespace/service" from their kubernetes.io/service-name label. */
const SERVICE_INDEX = "service";

/** How often a listener that could not bind tries again (another agent on this host holds it until it dies). */
export const BIND_RETRY_MS = 1000;

export interface ProxierOptions {
  /** The node's InternalIP: node ports listen here. */
  readonly nodeIP: string;
  readonly services: Informer;
  readonly endpointSlices: Informer;
  readonly meter: Meter;
  readonly udpIdleTimeoutMs: number;
  readonly log: (message: string) => void;
}

/** One service address: bound, or waiting to be (the last error it logged, so it logs each change once). */
interface Listener {
  readonly address: ListenAddress;
  readonly servicePort: string;
  socket: ProxySocket | undefined;
  binding: boolean;
  lastError: string | undefined;
  closed: boolean;
}

/**
 * The service proxy (kube-proxy in userspace mode): listens on every service's cluster IP, node ports
 * and load balancer addresses, and forwards each new connection to an endpoint. Services change the
 * listeners; EndpointSlices change only where the next connection goes, applied as each watch event
 * arrives, so connections already made are never touched.
 */
export class Proxier {
  private readonly balancer = new RoundRobin();
  private readonly servicePorts = new Map<string, ServicePort>();
  /** "namespace/name" → keys of its ports in servicePorts. */
  private readonly portsByService = new Map<string, string[]>();
  private readonly listeners = new Map<string, Listener>();
  private readonly connections: Counter<ProxyConnectionAttributes>;
  private readonly removeHandlers: (() => void)[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  private started = false;

  constructor(private readonly opts: ProxierOptions) {
    this.connections = proxyConnections(opts.meter);
    opts.endpointSlices.addIndexer(SERVICE_INDEX, (slice) => {
      const service = labelsOf(slice)[LABEL_SERVICE_NAME];
      return service ? [`${namespaceOf(slice)}/${service}`] : [];
    });
  }

  /** Resolves once both caches are synced and every listener has made its first attempt to bind. */
  async start(): Promise<void> {
    const { services, endpointSlices } = this.opts;
    const onService = (svc: JsonObject) => this.syncService(namespaceOf(svc), nameOf(svc), true);
    const onSlice = (slice: JsonObject) => {
      const service = labelsOf(slice)[LABEL_SERVICE_NAME];
      if (service) this.syncService(namespaceOf(slice), service, false);
    };
    this.removeHandlers.push(
      services.addEventHandler({ onAdd: onService, onUpdate: (_old, svc) => onService(svc), onDelete: onService }),
      endpointSlices.addEventHandler({
        onAdd: onSlice,
        // A slice relabelled to another service leaves the old one's endpoints too.
        onUpdate: (old, slice) => {
          onSlice(old);
          onSlice(slice);
        },
        onDelete: onSlice,
      }),
    );
    services.start();
    endpointSlices.start();
    await Promise.all([services.synced, endpointSlices.synced]);
    this.started = true;
    await Promise.all([...this.listeners.values()].map((l) => this.bind(l)));
    this.retryTimer = setInterval(() => this.retry(), BIND_RETRY_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.retryTimer);
    for (const remove of this.removeHandlers.splice(0)) remove();
    for (const listener of this.listeners.values()) this.closeListener(listener);
    this.listeners.clear();
    await Promise.all([this.opts.services.stop(), this.opts.endpointSlices.stop()]);
  }

  /** Brings one service's ports and endpoints up to date; its listeners only when the Service itself changed. */
  private syncService(namespace: string, name: string, serviceChanged: boolean): void {
    const serviceKey = `${namespace}/${name}`;
    const service = this.opts.services.get(namespace, name);
    const ports = service ? servicePortsOf(service, this.opts.nodeIP) : [];
    const slices = this.opts.endpointSlices.byIndex(SERVICE_INDEX, serviceKey);
    const keys = ports.map((p) => p.key);
    for (const old of this.portsByService.get(serviceKey) ?? []) {
      if (keys.includes(old)) continue;
      this.servicePorts.delete(old);
      this.balancer.delete(old);
    }
    for (const port of ports) {
      this.servicePorts.set(port.key, port);
      this.balancer.update(port.key, usableEndpoints(endpointsOf(slices, port.portName, port.protocol)), port.affinityTimeoutSeconds);
    }
    if (keys.length > 0) this.portsByService.set(serviceKey, keys);
    else this.portsByService.delete(serviceKey);
    if (serviceChanged) this.syncListeners();
  }

  /** Opens a listener for every wanted address and closes those no service port wants any more. */
  private syncListeners(): void {
    const wanted = new Map<string, { address: ListenAddress; servicePort: string }>();
    // Sorted, so when two services claim one address (a shared load balancer IP) the same one wins every time.
    for (const port of [...this.servicePorts.values()].sort((a, b) => (a.key < b.key ? -1 : 1))) {
      for (const address of port.listen) {
        const key = listenAddressKey(address);
        if (!wanted.has(key)) wanted.set(key, { address, servicePort: port.key });
      }
    }
    for (const [key, listener] of this.listeners) {
      if (wanted.get(key)?.servicePort === listener.servicePort) continue;
      this.closeListener(listener);
      this.listeners.delete(key);
    }
    for (const [key, { address, servicePort }] of wanted) {
      if (this.listeners.has(key)) continue;
      const listener: Listener = { address, servicePort, socket: undefined, binding: false, lastError: undefined, closed: false };
      this.listeners.set(key, listener);
      if (this.started) void this.bind(listener);
    }
  }

  private async bind(listener: Listener): Promise<void> {
    if (listener.binding || listener.socket || listener.closed) return;
    listener.binding = true;
    const { address, servicePort } = listener;
    // A fresh socket per attempt: one whose bind failed is not reused.
    const socket = createProxySocket(address, {
      pick: (clientIP, sessionAffinityReset) => this.balancer.next(servicePort, clientIP, sessionAffinityReset),
      connections: this.connections,
      udpIdleTimeoutMs: this.opts.udpIdleTimeoutMs,
    });
    const where = `${address.protocol} ${address.ip}:${address.port} for ${servicePort}`;
    try {
      await socket.listen();
      listener.binding = false;
      if (listener.closed) {
        socket.close();
        return;
      }
      listener.socket = socket;
      listener.lastError = undefined;
      this.opts.log(`proxy: listening on ${where}`);
    } catch (e) {
      listener.binding = false;
      const code = (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
      if (code !== listener.lastError && !listener.closed) {
        const why = code === "EADDRINUSE" ? "in use, served by another node agent on this host until it stops" : code;
        this.opts.log(`proxy: cannot listen on ${where} (${why}); retrying every ${BIND_RETRY_MS / 1000}s`);
      }
      listener.lastError = code;
    }
  }

  private closeListener(listener: Listener): void {
    listener.closed = true;
    if (!listener.socket) return;
    listener.socket.close();
    listener.socket = undefined;
    this.opts.log(`proxy: stopped listening on ${listener.address.protocol} ${listener.address.ip}:${listener.address.port} for ${listener.servicePort}`);
  }

  private retry(): void {
    for (const listener of this.listeners.values()) if (!listener.socket) void this.bind(listener);
    this.balancer.cleanupStaleStickySessions();
  }
}

function namespaceOf(obj: JsonObject): string {
  return metadataOf(obj).namespace ?? "default";
}

function nameOf(obj: JsonObject): string {
  return metadataOf(obj).name ?? "";
}

function labelsOf(obj: JsonObject): Readonly<Record<string, string>> {
  return metadataOf(obj).labels ?? {};
}
