import { execFile } from "node:child_process";

/**
 * Runs a command on a pseudo-terminal (util-linux script), as a user's shell would, with `input` typed
 * into it: for a CLI that gives a remote command a terminal only when its own stdin is one.
 */
export function runOnTerminal(argv: readonly string[], input: string, env?: Record<string, string>): Promise<{ code: number; stdout: string }> {
  const line = argv.map((w) => `'${w}'`).join(" ");
  return new Promise((done) => {
    const child = execFile("script", ["--quiet", "--return", "--command", line, "/dev/null"], { timeout: 60_000, ...(env ? { env: { ...process.env, ...env } } : {}) }, (error, stdout) =>
      done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout }),
    );
    child.stdin?.end(input);
  });
}
