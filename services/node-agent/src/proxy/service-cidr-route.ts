import { execFile } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { cidrWithin, LOOPBACK_CIDR, parseCIDR } from "@capstan/api";
import { readProcess } from "../runtime/process-group.js";

const run = promisify(execFile);

type Command = (file: string, args: string[]) => Promise<unknown>;

/**
 * Makes every address of the service CIDR local on this host (AnyIP: `ip route replace local <cidr> dev
 * lo`), so the proxy can bind any cluster IP and the host and pods (which share its network) can reach
 * it. Inside 127.0.0.0/8 there is nothing to do. `replace` makes it idempotent, so several agents on
 * one host may all run it.
 */
export async function ensureServiceCIDRIsLocal(cidr: string, command: Command = run): Promise<boolean> {
  if (cidrWithin(parseCIDR(cidr), LOOPBACK_CIDR)) return false;
  try {
    await command("ip", ["route", "replace", "local", cidr, "dev", "lo"]);
    return true;
  } catch (e) {
    const reason = e instanceof Error ? (e.message.split("\n").find((l) => l.trim() && !l.startsWith("Command failed")) ?? e.message) : String(e);
    throw new Error(
      `cannot make the service CIDR ${cidr} local with "ip route replace local ${cidr} dev lo" (${reason.trim()}): run the node agent as root with iproute2 installed, or set CAPSTAN_SERVICE_CIDR inside 127.0.0.0/8`,
    );
  }
}

/** The agents holding a service CIDR's route: one file per agent, named by its pid, holding its start time. */
export const DEFAULT_ROUTE_HOLDERS_DIR = "/run/capstan/service-cidr-holders";

export interface ServiceCIDRRouteOptions {
  /** Where the holders of each CIDR are written down (default /run/capstan/service-cidr-holders). */
  readonly holdersDir?: string;
  readonly command?: Command;
  /** This agent; a holder whose process no longer runs (killed with SIGKILL) no longer counts. */
  readonly self?: { readonly pid: number; readonly startTime: number };
  readonly isAlive?: (pid: number, startTime: number) => boolean;
}

export interface ServiceCIDRRoute {
  readonly cidr: string;
  /** This agent no longer needs the route: the last holder on the host removes it. */
  release(): Promise<void>;
}

/**
 * The service CIDR's route, counted: several agents on one host share it, and it goes when the last of
 * them releases it. Each holder is a file; a holder that died without releasing is pruned by whoever
 * looks next. Undefined when the CIDR needs no route (inside 127.0.0.0/8).
 */
export async function holdServiceCIDRRoute(cidr: string, opts: ServiceCIDRRouteOptions = {}): Promise<ServiceCIDRRoute | undefined> {
  if (cidrWithin(parseCIDR(cidr), LOOPBACK_CIDR)) return undefined;
  const command = opts.command ?? run;
  const isAlive = opts.isAlive ?? ((pid, startTime) => readProcess(pid)?.startTime === startTime);
  const self = opts.self ?? { pid: process.pid, startTime: readProcess(process.pid)?.startTime ?? 0 };
  const dir = join(opts.holdersDir ?? DEFAULT_ROUTE_HOLDERS_DIR, cidr.replace("/", "_"));
  mkdirSync(dir, { recursive: true });
  // Written before the route is set: whoever releases concurrently either sees this holder, or deleted
  // the route before this agent's replace below.
  const mine = join(dir, String(self.pid));
  writeFileSync(mine, String(self.startTime));
  try {
    await ensureServiceCIDRIsLocal(cidr, command);
  } catch (e) {
    rmSync(mine, { force: true });
    throw e;
  }
  /** The other holders still running; those that died without releasing are forgotten. */
  const othersAlive = () => {
    const alive = [];
    for (const h of holdersIn(dir)) {
      if (h.pid === self.pid) continue;
      if (isAlive(h.pid, h.startTime)) alive.push(h);
      else rmSync(join(dir, String(h.pid)), { force: true });
    }
    return alive;
  };
  let released: Promise<void> | undefined;
  return {
    cidr,
    release: () =>
      (released ??= (async () => {
        rmSync(mine, { force: true });
        if (othersAlive().length > 0) return;
        await command("ip", ["route", "del", "local", cidr, "dev", "lo"]).catch((e: unknown) => {
          // Already gone (someone removed it by hand) is what we wanted.
          if (!(e instanceof Error && e.message.includes("No such process"))) throw e;
        });
        // An agent that started meanwhile wrote itself down before its own replace, which may have come
        // before our delete: put the route back for it.
        if (othersAlive().length > 0) await ensureServiceCIDRIsLocal(cidr, command);
      })()),
  };
}

function holdersIn(dir: string): Array<{ pid: number; startTime: number }> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const holders: Array<{ pid: number; startTime: number }> = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    let startTime = NaN;
    try {
      startTime = Number(readFileSync(join(dir, name), "utf8"));
    } catch {
      continue;
    }
    holders.push({ pid: Number(name), startTime });
  }
  return holders;
}
