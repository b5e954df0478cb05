import { describe, expect, it } from "vitest";
import { claimHostRanges, type HostRanges } from "./host-ranges.js";

describe("claimHostRanges", () => {
  it("never gives two live claims the same pod range or service CIDR, and a released range is free again", async () => {
    const claims: HostRanges[] = [];
    try {
      for (let i = 0; i < 30; i++) claims.push(await claimHostRanges(2));
      const bases = claims.flatMap((c) => c.podIPBases);
      const cidrs = claims.map((c) => c.serviceCIDR);
      expect(new Set(bases).size).toBe(60);
      expect(new Set(cidrs).size).toBe(30);
      for (const base of bases) expect(base).toMatch(/^127\.(\d+)$/);
      for (const cidr of cidrs) expect(cidr).toMatch(/^10\.(9[7-9]|10\d|11[01])\.\d+\.0\/24$/);
    } finally {
      await Promise.all(claims.map((c) => c.release()));
    }
  });

  it("keeps a service CIDR the test names", async () => {
    const claim = await claimHostRanges(1, "10.200.0.0/24");
    await claim.release();
    expect(claim.serviceCIDR).toBe("10.200.0.0/24");
    expect(claim.podIPBases).toHaveLength(1);
  });
});
