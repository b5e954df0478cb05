import type { Service } from "@capstan/api";
import { formatResolvConf, readResolvConf } from "@capstan/apimachinery";
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { containerEnvironment, expandVariables, linkedServices, serviceEnvironment } from "./container-env.js";
import { hostPathsToBind, launchCommand, type BindMount, type ContainerLaunch, type Sandbox } from "./container-sandbox.js";
import { writeConfigVolumes } from "./config-volumes.js";
import { isConfigError, type ConfigError, type ConfigObjects, type NodeFacts } from "./config-objects.js";
import type { CatalogImage, ImageCatalog, ResolvedImage } from "./image-catalog.js";
import { podHostsFile, podResolvConf, type ClusterDNS } from "./pod-dns.js";
import { isSafeSegment, type PodLayout } from "./pod-layout.js";
import { newContainerProcess, type ContainerProcess, type ContainerRecord, type PodRecord } from "./pod-record.js";
import { volumeMounts } from "./pod-volumes.js";
import type { RuntimeListeners } from "./runtime-listeners.js";

export interface ContainerLauncherOptions {
  layout: PodLayout;
  catalog: ImageCatalog;
  sandbox: Sandbox;
  dns: ClusterDNS;
  /** The host's resolv.conf, for dnsPolicy Default. */
  hostResolvConf: string;
  /** The Services in a namespace, for the containers' service variables. */
  services: (namespace: string) => readonly Service[];
  /** The ConfigMaps and Secrets env and volumes read. */
  objects: ConfigObjects;
  node: NodeFacts;
  listeners: RuntimeListeners;
}

/** A container instance just spawned; whether it could exec, its start report tells (waitForExec). */
export interface SpawnedContainer {
  proc: ContainerProcess;
  imageId: string;
  logPath: string;
}

/**
 * Puts the next instance of a container on this host: what its image runs, its environment and
 * service variables, its root layers with the pod's /etc/hosts and resolv.conf, its volumes, its log
 * file, and the process group itself, spawned through the sandbox. Everything here is synchronous.
 */
export class ContainerLauncher {
  private hostBinds: BindMount[] | undefined;

  constructor(private readonly opts: ContainerLauncherOptions) {}

  /** Spawns the container's next instance from its pulled image, or says why it cannot be created. */
  launch(rec: PodRecord, c: ContainerRecord, pulled: CatalogImage): SpawnedContainer | ConfigError {
    const { layout, sandbox } = this.opts;
    const name = c.spec.name;
    const mounts = isSafeSegment(name) ? volumeMounts(layout, rec.uid, rec.pod, c.spec) : `container name "${name}" is not a valid name`;
    if (typeof mounts === "string") return { configError: mounts };
    const ctx = { pod: rec.pod, identity: rec.identity, node: this.opts.node, objects: this.opts.objects };
    const unmountable = writeConfigVolumes((volume) => layout.emptyDirPath(rec.uid, volume), ctx);
    if (unmountable) return unmountable;
    const resolved = containerEnvironment(c.spec, { ...ctx, services: this.serviceVariables(rec) });
    if (isConfigError(resolved)) return resolved;
    for (const warning of resolved.skipped) this.opts.listeners.emit(rec.uid, "Warning", "InvalidEnvironmentVariableNames", warning, name);
    const { env } = resolved;
    const instance = c.instance + 1;
    const instanceDir = layout.instanceDir(rec.uid, name, instance);
    const sandboxed = sandbox.mode === "overlay";
    const image = this.opts.catalog.resolve(c.spec, pulled, {
      podIP: rec.identity.podIP,
      rootPrefix: sandboxed ? "" : join(instanceDir, "image"),
    });

    const lookup = (v: string): string | undefined => env[v];
    const launch: ContainerLaunch = {
      argv: image.argv.map((a) => expandVariables(a, lookup)),
      workingDir: c.spec.workingDir,
      hostname: rec.identity.hostname,
      mounts: sandboxed ? [...this.catalogBinds(), ...mounts] : [],
    };
    layout.removeTree(layout.instanceDir(rec.uid, name, instance - 1));
    layout.removeTree(instanceDir);
    if (sandboxed) {
      launch.rootfs = { upper: join(instanceDir, "upper"), work: join(instanceDir, "work"), merged: join(instanceDir, "merged") };
      for (const dir of Object.values(launch.rootfs)) mkdirSync(dir, { recursive: true });
      writeFiles(launch.rootfs.upper, this.rootfsFiles(rec, image));
    } else {
      writeFiles(join(instanceDir, "image"), image.files);
    }
    const logPath = layout.logPath(rec.uid, name, instance);
    mkdirSync(dirname(logPath), { recursive: true });
    rmSync(layout.logPath(rec.uid, name, instance - 2), { force: true });
    const logFd = openSync(logPath, "a");

    let child: ChildProcess;
    try {
      const cmd = launchCommand(launch, sandbox);
      child = spawn(cmd.file, cmd.args, {
        env,
        ...(cmd.cwd !== undefined ? { cwd: cmd.cwd } : {}),
        detached: true, // setsid: the container is its own process group
        stdio: ["ignore", logFd, logFd, cmd.reportsStart ? "pipe" : "ignore"],
      });
    } finally {
      closeSync(logFd);
    }
    return { proc: newContainerProcess(child, instance, env), imageId: image.imageId, logPath };
  }

  /** Host paths the catalog's programs need inside a sandbox, computed once. */
  private catalogBinds(): BindMount[] {
    this.hostBinds ??= hostPathsToBind(this.opts.catalog.hostPaths().filter((p) => existsSync(p)));
    return this.hostBinds;
  }

  /** The variables of the Services that exist now (the kubelet's view when it starts a container). */
  private serviceVariables(rec: PodRecord): Record<string, string> {
    const { services } = this.opts;
    const { namespace } = rec.identity;
    const candidates = namespace === "default" ? services(namespace) : [...services(namespace), ...services("default")];
    return serviceEnvironment(linkedServices(candidates, namespace, rec.pod.spec?.enableServiceLinks ?? true));
  }

  /** The image's files plus the pod's /etc/hosts, /etc/hostname and /etc/resolv.conf, as the kubelet manages them. */
  private rootfsFiles(rec: PodRecord, image: ResolvedImage): Map<string, string> {
    const { dns } = this.opts;
    const { hostname, podIP } = rec.identity;
    const hostConf = readResolvConf(this.opts.hostResolvConf);
    return new Map([
      ...image.files,
      ["/etc/hosts", podHostsFile(rec.pod, podIP, hostname, dns.domain)],
      ["/etc/hostname", `${hostname}\n`],
      ["/etc/resolv.conf", formatResolvConf(podResolvConf(rec.pod, dns, hostConf))],
    ]);
  }
}

/** undefined → it runs; a message → it could not start. The sandbox reports on fd 3, which closes at exec. */
export function waitForExec(child: ChildProcess): Promise<string | undefined> {
  return new Promise((resolve) => {
    const report = child.stdio[3] as Readable | null | undefined;
    child.once("error", (e) => resolve(e.message));
    if (!report) {
      if (child.pid !== undefined) child.once("spawn", () => resolve(undefined));
      return;
    }
    let text = "";
    report.setEncoding("utf8");
    report.on("data", (chunk: string) => (text += chunk));
    report.once("close", () => resolve(text.trim() || undefined));
    report.once("error", () => resolve(text.trim() || "the container's start report failed"));
  });
}

/** Writes `files` (paths inside a root → content) under `root`. */
function writeFiles(root: string, files: ReadonlyMap<string, string>): void {
  for (const [path, content] of files) {
    const target = join(root, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
}
