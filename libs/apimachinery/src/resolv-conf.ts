import { readFileSync } from "node:fs";
import { isIP } from "node:net";

/** What a resolv.conf says: its `nameserver`, `search` (or `domain`) and `options` lines. */
export interface ResolvConf {
  nameservers: string[];
  searches: string[];
  options: string[];
}

/**
 * Parses resolv.conf as glibc does: comments start with `#` or `;`, the last `search`/`domain` line wins,
 * options accumulate, and a nameserver that is not an IP address (scoped IPv6 `fe80::1%eth0` is one) is skipped.
 */
export function parseResolvConf(content: string): ResolvConf {
  const conf: ResolvConf = { nameservers: [], searches: [], options: [] };
  for (const line of content.split("\n")) {
    const [keyword, ...fields] = line.replace(/[#;].*/, "").trim().split(/\s+/);
    const address = fields[0];
    if (keyword === "nameserver") {
      if (address !== undefined && isIP(address.split("%")[0] ?? "") !== 0) conf.nameservers.push(address);
    } else if (keyword === "search" || keyword === "domain") conf.searches = fields.filter(Boolean);
    else if (keyword === "options") conf.options.push(...fields.filter(Boolean));
  }
  return conf;
}

/** The file at `path`; a missing file says nothing (no nameservers), as for glibc. */
export function readResolvConf(path = "/etc/resolv.conf"): ResolvConf {
  try {
    return parseResolvConf(readFileSync(path, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return parseResolvConf("");
    throw error;
  }
}

/** The file as container runtimes write it: search, then nameservers, then options. */
export function formatResolvConf(conf: ResolvConf): string {
  let out = "";
  if (conf.searches.length > 0) out += `search ${conf.searches.join(" ")}\n`;
  for (const ns of conf.nameservers) out += `nameserver ${ns}\n`;
  if (conf.options.length > 0) out += `options ${conf.options.join(" ")}\n`;
  return out;
}
