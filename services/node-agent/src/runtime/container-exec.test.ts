import { describe, expect, it } from "vitest";
import { onTerminal, shellQuote, startExec } from "./container-exec.js";
import { execCommand } from "./container-sandbox.js";
import type { ExecOptions, ExecSession } from "./runtime.js";

const noSandbox = { mode: "none", reason: "test" } as const;

/** Runs `argv` as exec runs it without a sandbox, feeding `input`; collects both streams and the exit. */
async function run(argv: string[], opts: Partial<ExecOptions> & { input?: string } = {}) {
  const session = startExec(execCommand({ pid: 0, argv, workingDir: "" }, noSandbox), { PATH: process.env["PATH"] ?? "/usr/bin:/bin" }, {
    command: argv,
    stdin: opts.input !== undefined,
    tty: opts.tty ?? false,
    ...(opts.terminalSize ? { terminalSize: opts.terminalSize } : {}),
  });
  if (opts.input !== undefined) session.stdin!.end(opts.input);
  return collect(session);
}

/** The output and exit; the exit settles only after both streams ended. */
async function collect(session: ExecSession) {
  let out = "";
  let err = "";
  session.stdout.on("data", (d: Buffer) => (out += d.toString()));
  session.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const exit = await session.exited;
  return { out, err, ...exit };
}

describe("startExec", () => {
  it("keeps stdout and stderr apart and reports the exit code", async () => {
    const r = await run(["sh", "-c", "echo out; echo err >&2; exit 3"]);
    expect([r.out, r.err, r.exitCode, r.message]).toEqual(["out\n", "err\n", 3, ""]);
  });

  it("feeds stdin, and without it the command reads end of file", async () => {
    expect((await run(["cat"], { input: "data\n" })).out).toBe("data\n");
    const without = await run(["cat"]);
    expect([without.out, without.exitCode]).toEqual(["", 0]);
  });

  it("says when the executable does not exist", async () => {
    const r = await run(["no-such-command-here"]);
    expect([r.exitCode, r.message]).toEqual([127, 'exec: "no-such-command-here": executable file not found in $PATH']);
  });

  it("runs on a pseudo-terminal of the asked size, its output one stream", async () => {
    const r = await run(["sh", "-c", "tty; stty size; echo err >&2"], { tty: true, terminalSize: { width: 100, height: 30 } });
    expect(r.out).toMatch(/^\/dev\/pts\/\d+\r\n30 100\r\nerr\r\n$/);
    expect([r.err, r.exitCode]).toEqual(["", 0]);
  });

  it("resizes the terminal while the command runs", async () => {
    const argv = ["sh", "-c", "echo ready; read line; stty size"];
    const session = startExec(execCommand({ pid: 0, argv, workingDir: "" }, noSandbox), { PATH: process.env["PATH"] ?? "/usr/bin:/bin" }, {
      command: argv,
      stdin: true,
      tty: true,
      terminalSize: { width: 80, height: 24 },
    });
    const result = collect(session);
    await new Promise<void>((resolve) => session.stdout.on("data", (d: Buffer) => d.toString().includes("ready") && resolve()));
    await session.resize({ width: 120, height: 40 });
    session.stdin!.end("\n");
    expect((await result).out).toMatch(/\r\n40 120\r\n$/);
  });

  it("ends the command when killed, as a signal's exit", async () => {
    const session = startExec({ file: "sleep", args: ["30"], reportsStart: false }, { PATH: process.env["PATH"] ?? "/usr/bin:/bin" }, { command: ["sleep", "30"], stdin: false, tty: false });
    // spawn returns once the child has exec'd, so its process group exists.
    session.kill();
    expect(await session.exited).toEqual({ exitCode: 137, message: "terminated by SIGKILL" });
  });
});

describe("onTerminal", () => {
  it("wraps the command for script, setting the size first", () => {
    expect(onTerminal({ file: "nsenter", args: ["--target", "42", "sh", "-c", "echo 'a b'"], reportsStart: false }, { width: 80, height: 24 })).toEqual({
      file: "script",
      args: ["--quiet", "--return", "--flush", "--command", `stty cols 80 rows 24 2>/dev/null; exec nsenter --target 42 sh -c 'echo '\\''a b'\\'''`, "/dev/null"],
      reportsStart: false,
    });
  });
});

describe("shellQuote", () => {
  it.each([
    { name: "a plain word", word: "/bin/sh", want: "/bin/sh" },
    { name: "spaces", word: "a b", want: "'a b'" },
    { name: "a single quote", word: "it's", want: `'it'\\''s'` },
    { name: "the empty word", word: "", want: "''" },
    { name: "shell syntax", word: "$HOME;rm", want: "'$HOME;rm'" },
  ])("$name", ({ word, want }) => {
    expect(shellQuote(word)).toBe(want);
  });
});
