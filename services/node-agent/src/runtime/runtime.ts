import type { ContainerStatus, Pod } from "@capstan/api";

/** What a runtime reports about a pod, in the shape the node agent copies into `pod.status`. */
export type PodPhase = "Pending" | "Running" | "Succeeded" | "Failed";

export interface PodRuntimeStatus {
  podIP: string;
  phase: PodPhase;
  startTime?: string;
  containerStatuses: ContainerStatus[];
  /** spec.initContainers' statuses, in order; absent for a pod without init containers. */
  initContainerStatuses?: ContainerStatus[];
  reason?: string;
  message?: string;
}

export type RuntimeEventReason = "Pulling" | "Pulled" | "ErrImageNeverPull" | "Created" | "Started" | "Killing" | "BackOff" | "Failed" | "Unhealthy" | "InvalidEnvironmentVariableNames" | "FailedMount";

/** A Kubernetes-style event about a pod (or one of its containers), as the kubelet would record it. */
export interface RuntimeEvent {
  podUid: string;
  type: "Normal" | "Warning";
  reason: RuntimeEventReason;
  message: string;
  container?: string;
  /** RFC 3339, when the runtime observed it. */
  timestamp?: string;
}

/** Where a runtime reports what it handled itself: a failed listener, a leftover process, a directory it would not remove. */
export interface RuntimeLogger {
  warn(message: string, fields: Record<string, unknown>): void;
}

export interface LogOptions {
  follow: boolean;
  tailLines?: number;
  previous?: boolean;
}

export interface ExecOptions {
  command: string[];
  /** Whether the command reads the caller's stdin; without it, its stdin is empty. */
  stdin: boolean;
  /** Whether the command runs on a terminal (stdout and stderr are then one stream, stdout). */
  tty: boolean;
  terminalSize?: { width: number; height: number };
}

/** A command running in a container for exec: its streams, and how it ended. */
export interface ExecSession {
  /** Present when opts.stdin was asked for. */
  readonly stdin: NodeJS.WritableStream | undefined;
  readonly stdout: NodeJS.ReadableStream;
  readonly stderr: NodeJS.ReadableStream;
  /** Settles after the command's output has ended: its exit code, and why it did not run when it did not. */
  readonly exited: Promise<{ exitCode: number; message: string }>;
  /** Sets the size of the command's terminal (nothing without one); settles once applied or found impossible. */
  resize(size: { width: number; height: number }): Promise<void>;
  /** Ends the command (its caller went away). */
  kill(): void;
}

export interface Runtime {
  /** Make the pod run as its spec says; idempotent; called again on every spec update. */
  syncPod(pod: Pod): Promise<void>;
  /** SIGTERM every container, wait up to gracePeriodSeconds, then SIGKILL; free the pod IP; resolves when all processes are gone. */
  killPod(podUid: string, gracePeriodSeconds: number): Promise<void>;
  status(podUid: string): PodRuntimeStatus | undefined;
  /** Pods this runtime holds resources for (processes, IP, volumes), including pods recovered from a previous life. */
  runningPods(): string[];
  /** Called whenever a pod's status changes (container started/exited/restarted). */
  onStatusChange(listener: (podUid: string) => void): void;
  onEvent(listener: (e: RuntimeEvent) => void): void;
  /** The container's log: existing lines (tailLines limits), then, with follow, new lines until the stream is destroyed or the container's pod is removed. previous = the previous instance's log.
   * Throws (NotFound, Unavailable) when there is no such log; later failures are stream errors. */
  logs(podUid: string, container: string, opts: LogOptions): NodeJS.ReadableStream;
  /** Runs a command in a running container, as its own processes run (env, root, working dir).
   * Throws (NotFound, Unavailable) when there is no such running container. */
  exec(podUid: string, container: string, opts: ExecOptions): ExecSession;
  /** The running container's output from now until its process exits (kubectl attach without stdin); throws as exec. */
  attach(podUid: string, container: string): ExecSession;
  /** Stop everything (agent shutdown); leaves nothing running. */
  shutdown(): Promise<void>;
}
