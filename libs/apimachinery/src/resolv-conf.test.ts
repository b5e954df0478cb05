import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatResolvConf, parseResolvConf, readResolvConf } from "./resolv-conf.js";

describe("parseResolvConf", () => {
  it.each([
    { case: "one nameserver", text: "nameserver 10.0.0.2\n", nameservers: ["10.0.0.2"] },
    { case: "several, in order", text: "nameserver 1.1.1.1\nnameserver 8.8.8.8\n", nameservers: ["1.1.1.1", "8.8.8.8"] },
    { case: "comments ignored", text: "# c\nnameserver 10.0.0.2 # x\n; nameserver 9.9.9.9\n", nameservers: ["10.0.0.2"] },
    { case: "IPv6 and scoped IPv6", text: "nameserver fd00::1\nnameserver fe80::1%eth0\n", nameservers: ["fd00::1", "fe80::1%eth0"] },
    { case: "not an address", text: "nameserver dns.example\nnameserver\n", nameservers: [] },
  ])("nameservers: $case", ({ text, nameservers }) => {
    expect(parseResolvConf(text).nameservers).toEqual(nameservers);
  });

  it("keeps the last search line and every option", () => {
    const conf = parseResolvConf("# generated\nnameserver 10.0.0.2\nsearch a.example b.example\nsearch c.example ; last wins\nnameserver  10.0.0.3 \noptions ndots:2\noptions rotate\n");
    expect(conf).toEqual({ nameservers: ["10.0.0.2", "10.0.0.3"], searches: ["c.example"], options: ["ndots:2", "rotate"] });
  });

  it("reads a file, and a missing one as no nameservers", () => {
    const dir = mkdtempSync(join(tmpdir(), "resolv-"));
    writeFileSync(join(dir, "resolv.conf"), "nameserver 10.0.0.9\n");
    expect(readResolvConf(join(dir, "resolv.conf")).nameservers).toEqual(["10.0.0.9"]);
    expect(readResolvConf(join(dir, "missing.conf"))).toEqual({ nameservers: [], searches: [], options: [] });
  });

  it("writes search, nameservers, options and reads back the same", () => {
    const conf = { nameservers: ["10.96.0.10"], searches: ["default.svc.cluster.local", "svc.cluster.local"], options: ["ndots:5"] };
    expect(formatResolvConf(conf)).toBe("search default.svc.cluster.local svc.cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n");
    expect(parseResolvConf(formatResolvConf(conf))).toEqual(conf);
  });
});
