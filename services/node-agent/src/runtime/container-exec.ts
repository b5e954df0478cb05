import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { constants } from "node:os";
import { Readable } from "node:stream";
import { finished } from "node:stream/promises";
import type { LogStream } from "./container-logs.js";
import type { LaunchCommand } from "./container-sandbox.js";
import { signalGroup } from "./process-group.js";
import type { ExecOptions, ExecSession } from "./runtime.js";

/**
 * What to spawn for an exec on a terminal: util-linux `script` puts the command on a new pseudo-terminal
 * (stdout and stderr become the one terminal stream, input is echoed, as on any tty) and exits with the
 * command's code; the initial size is set with stty before the command replaces the shell.
 */
export function onTerminal(cmd: LaunchCommand, size: ExecOptions["terminalSize"]): LaunchCommand {
  const resize = size && size.width > 0 && size.height > 0 ? `stty cols ${size.width} rows ${size.height} 2>/dev/null; ` : "";
  const line = `${resize}exec ${[cmd.file, ...cmd.args].map(shellQuote).join(" ")}`;
  return { file: "script", args: ["--quiet", "--return", "--flush", "--command", line, "/dev/null"], ...(cmd.cwd !== undefined ? { cwd: cmd.cwd } : {}), reportsStart: false };
}

/** `word` as one POSIX shell word. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Spawns an exec'd command in its own process group, with the container's environment. */
export function startExec(cmd: LaunchCommand, env: Record<string, string>, opts: ExecOptions): ExecSession {
  const run = opts.tty ? onTerminal(cmd, opts.terminalSize) : cmd;
  const child = spawn(run.file, run.args, {
    // `script` runs its --command with $SHELL: the host's sh, not whatever the container's env names.
    env: opts.tty ? { ...env, SHELL: "/bin/sh" } : env,
    ...(run.cwd !== undefined ? { cwd: run.cwd } : {}),
    detached: true,
    stdio: ["pipe", "pipe", "pipe"],
  });
  // A write after the command exited fails with EPIPE; the exit says what happened.
  child.stdin.on("error", () => {});
  // Without stdin the command reads end of file at once.
  if (!opts.stdin) child.stdin.end();
  const exited = new Promise<{ exitCode: number; message: string }>((resolve) => {
    child.once("error", (e) => {
      const missing = (e as NodeJS.ErrnoException).code === "ENOENT";
      resolve({ exitCode: missing ? 127 : 126, message: missing ? `exec: ${JSON.stringify(run.file)}: executable file not found in $PATH` : e.message });
    });
    child.once("close", (code, signal) => resolve({ exitCode: code ?? 128 + (signal ? constants.signals[signal] : 0), message: signal ? `terminated by ${signal}` : "" }));
  });
  return {
    stdin: opts.stdin ? child.stdin : undefined,
    stdout: child.stdout,
    stderr: child.stderr,
    exited,
    resize: (size) => (opts.tty && child.pid !== undefined ? resizeTerminal(child.pid, size) : Promise.resolve()),
    kill: () => {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) signalGroup(child.pid, "SIGKILL");
    },
  };
}

/** An attach as a session: `output` (a followed log) until `exited`, then what is left of it; nothing to kill but the stream. */
export function attachOutput(output: LogStream, exited: Promise<void>): ExecSession {
  void exited.then(() => output.finish());
  return {
    stdin: undefined,
    stdout: output,
    stderr: Readable.from([]),
    exited: finished(output).then(
      () => ({ exitCode: 0, message: "" }),
      (e: unknown) => ({ exitCode: 1, message: `the container's output failed: ${e instanceof Error ? e.message : String(e)}` }),
    ),
    resize: () => Promise.resolve(),
    kill: () => output.destroy(),
  };
}

/**
 * Sets the window size of the terminal `script` (pid) runs its command on: its child's stdin, opened
 * through /proc so the path holds whatever mount namespace the child entered. The kernel then sends
 * the command SIGWINCH, as on any terminal. Before script has forked there is no child, and no resize.
 */
function resizeTerminal(scriptPid: number, size: { width: number; height: number }): Promise<void> {
  let child: string | undefined;
  try {
    child = readFileSync(`/proc/${scriptPid}/task/${scriptPid}/children`, "utf8").trim().split(" ")[0];
  } catch {
    return Promise.resolve(); // script has exited
  }
  if (!child || !(size.width > 0 && size.height > 0)) return Promise.resolve();
  return new Promise((resolve) => {
    const stty = spawn("stty", ["-F", `/proc/${child}/fd/0`, "cols", String(size.width), "rows", String(size.height)], { stdio: "ignore" });
    stty.once("error", () => resolve());
    stty.once("close", () => resolve());
  });
}
