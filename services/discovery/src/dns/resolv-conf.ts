import { readFileSync } from "node:fs";
import { isIP } from "node:net";

export interface Upstream {
  readonly host: string;
  readonly port: number;
}

/** The `nameserver` lines of a resolv.conf, in order; port 53 (resolv.conf cannot name another). */
export function parseResolvConf(text: string): Upstream[] {
  const upstreams: Upstream[] = [];
  for (const line of text.split("\n")) {
    const [keyword, address] = line.replace(/[#;].*$/, "").trim().split(/\s+/);
    if (keyword !== "nameserver" || address === undefined) continue;
    // A scoped IPv6 address (fe80::1%eth0) keeps its zone for the socket.
    if (isIP(address.split("%")[0] ?? "") !== 0) upstreams.push({ host: address, port: 53 });
  }
  return upstreams;
}

export function readResolvConf(path = "/etc/resolv.conf"): Upstream[] {
  try {
    return parseResolvConf(readFileSync(path, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}
