import { findOrDefaultContainer, fromApiObject, podView } from "@capstan/api";
import type { CapstanClient, ExecCall } from "@capstan/client";

export interface ExecOptions {
  readonly namespace: string;
  readonly container?: string;
  readonly stdin: boolean;
  readonly tty: boolean;
}

/**
 * `capctl exec POD [-c C] [-i] [-t] -- COMMAND`, as kubectl exec: picks the container (saying which when
 * it defaults among several), streams stdin and the output, and answers the command's exit code.
 */
export async function exec(client: CapstanClient, pod: string, command: string[], opts: ExecOptions): Promise<number> {
  if (command.length === 0) throw new Error("you must specify at least one command for the container");
  const target = await runningContainer(client, pod, opts, "exec into");
  const tty = terminalWanted(opts);
  const call = client.exec({
    ...target,
    command,
    stdin: opts.stdin,
    tty,
    ...(tty ? { terminalSize: { width: process.stdout.columns ?? 0, height: process.stdout.rows ?? 0 } } : {}),
  });
  const stopInput = opts.stdin ? sendInput(call.send, tty) : () => {};
  try {
    return await printSession(call);
  } finally {
    stopInput();
  }
}

/** `capctl attach POD [-c C]`: the container's output from now until it exits (Capstan containers have no stdin to attach to). */
export async function attach(client: CapstanClient, pod: string, opts: Pick<ExecOptions, "namespace" | "container">): Promise<number> {
  const target = await runningContainer(client, pod, opts, "attach");
  return printSession(client.attach({ ...target, command: [], stdin: false, tty: false }));
}

/** The pod and container to reach, after kubectl's checks: the pod exists and has not completed, the container is its. */
async function runningContainer(client: CapstanClient, pod: string, opts: Pick<ExecOptions, "namespace" | "container">, verb: "exec into" | "attach") {
  const name = pod.startsWith("pod/") ? pod.slice(4) : pod;
  const view = podView(fromApiObject(await client.get({ kind: "Pod", namespace: opts.namespace, name })).json);
  if (view.phase === "Succeeded" || view.phase === "Failed") {
    throw new Error(`cannot ${verb} a container in a completed pod; current phase is ${view.phase}`);
  }
  const chosen = findOrDefaultContainer(view, opts.container ?? "");
  if ("error" in chosen) throw new Error(chosen.error);
  if (chosen.notice) process.stderr.write(`${chosen.notice}\n`);
  return { namespace: opts.namespace, name, container: chosen.container };
}

/** Writes the output as it comes; the exit code, with kubectl's line when it is not 0. */
async function printSession(call: ExecCall): Promise<number> {
  for await (const m of call) {
    if (m.stdout) process.stdout.write(m.stdout);
    if (m.stderr) process.stderr.write(m.stderr);
    if (m.exit) {
      if (m.exit.message) process.stderr.write(`${m.exit.message}\n`);
      if (m.exit.exitCode !== 0) process.stderr.write(`command terminated with exit code ${m.exit.exitCode}\n`);
      return m.exit.exitCode;
    }
  }
  throw new Error("the gateway ended the stream without the command's exit");
}

/** kubectl's rule: a TTY only with -i, and only when stdin is a terminal (else it says so and goes on without). */
function terminalWanted(opts: ExecOptions): boolean {
  if (!opts.tty || !opts.stdin) return false;
  if (process.stdin.isTTY) return true;
  process.stderr.write("Unable to use a TTY - input is not a terminal or the right kind of file\n");
  return false;
}

/** Sends stdin (raw, on a terminal) and its end, and the terminal's resizes; returns how to stop. */
function sendInput(send: ExecCall["send"], tty: boolean): () => void {
  const onData = (d: Buffer) => send({ stdin: d });
  const onEnd = () => send({ stdinClose: true });
  const onResize = () => send({ resize: { width: process.stdout.columns, height: process.stdout.rows } });
  if (tty) {
    process.stdin.setRawMode(true);
    process.stdout.on("resize", onResize);
  }
  process.stdin.on("data", onData);
  process.stdin.once("end", onEnd);
  return () => {
    process.stdin.off("data", onData);
    process.stdin.off("end", onEnd);
    process.stdout.off("resize", onResize);
    if (tty) process.stdin.setRawMode(false);
    process.stdin.pause();
  };
}
