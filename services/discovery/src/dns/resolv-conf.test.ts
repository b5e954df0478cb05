import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseResolvConf, readResolvConf } from "./resolv-conf.js";

describe("parseResolvConf", () => {
  it.each([
    { case: "one nameserver", text: "nameserver 10.0.0.2\n", want: ["10.0.0.2:53"] },
    { case: "several, in order", text: "nameserver 1.1.1.1\nnameserver 8.8.8.8\n", want: ["1.1.1.1:53", "8.8.8.8:53"] },
    { case: "other keywords and comments ignored", text: "# c\nsearch a.b\nnameserver 10.0.0.2 # x\noptions ndots:5\n; nameserver 9.9.9.9\n", want: ["10.0.0.2:53"] },
    { case: "IPv6 and scoped IPv6", text: "nameserver fd00::1\nnameserver fe80::1%eth0\n", want: ["fd00::1:53", "fe80::1%eth0:53"] },
    { case: "not an address", text: "nameserver dns.example\nnameserver\n", want: [] },
  ])("$case", ({ text, want }) => {
    expect(parseResolvConf(text).map((u) => `${u.host}:${u.port}`)).toEqual(want);
  });

  it("reads a file, and a missing one as no upstreams", () => {
    const dir = mkdtempSync(join(tmpdir(), "resolv-"));
    writeFileSync(join(dir, "resolv.conf"), "nameserver 10.0.0.9\n");
    expect(readResolvConf(join(dir, "resolv.conf"))).toEqual([{ host: "10.0.0.9", port: 53 }]);
    expect(readResolvConf(join(dir, "missing.conf"))).toEqual([]);
  });
});
