import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { cidrWithin, LOOPBACK_CIDR, parseCIDR } from "@capstan/api";

const run = promisify(execFile);

/**
 * Makes every address of the service CIDR local on this host (AnyIP: `ip route replace local <cidr> dev
 * lo`), so the proxy can bind any cluster IP and the host and pods (which share its network) can reach
 * it. Inside 127.0.0.0/8 there is nothing to do. `replace` makes it idempotent, so several agents on
 * one host may all run it.
 */
export async function ensureServiceCIDRIsLocal(cidr: string, command: (file: string, args: string[]) => Promise<unknown> = run): Promise<boolean> {
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
