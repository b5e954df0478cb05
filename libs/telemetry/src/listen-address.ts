import { isIPv4 } from "node:net";

/** An "IPv4-address:port" setting such as CAPSTAN_DNS_LISTEN, parsed; `name` is the setting, for the error. */
export function parseListenAddress(name: string, value: string): { host: string; port: number } {
  const m = /^([0-9.]+):([0-9]{1,5})$/.exec(value);
  const port = Number(m?.[2]);
  if (!m || !isIPv4(m[1]!) || port > 65535) {
    throw new Error(`${name}: Invalid value "${value}": must be IPv4-address:port, port 0 for a free one`);
  }
  return { host: m[1]!, port };
}
