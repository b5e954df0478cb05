import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { nodeIPOf, parsePodIPBase, PodIPAllocator, podIPAt } from "./pod-network.js";

const dirs: string[] = [];
function stateFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "capstan-ipam-"));
  dirs.push(dir);
  return join(dir, "pod-ips.json");
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("podIPAt", () => {
  it.each([
    { name: "first of 127.1", prefix: [127, 1], index: 1, want: "127.1.0.1" },
    { name: "carries into the third octet", prefix: [127, 1], index: 257, want: "127.1.1.1" },
    { name: "skips .0", prefix: [127, 1], index: 256, want: undefined },
    { name: "skips .255", prefix: [127, 1], index: 255, want: undefined },
    { name: "never the host's 127.0.0.0/24", prefix: [127], index: 1, want: undefined },
    { name: "a /24 prefix", prefix: [127, 3, 4], index: 9, want: "127.3.4.9" },
  ])("$name", ({ prefix, index, want }) => {
    expect(podIPAt(prefix, index)).toBe(want);
  });
});

describe("nodeIPOf", () => {
  it.each([
    { name: "a /16 range", base: "127.37", want: "127.37.0.1" },
    { name: "a /24 range", base: "127.37.5", want: "127.37.5.1" },
    { name: "the whole block skips the host's 127.0.0.0/24", base: "127", want: "127.0.1.1" },
  ])("is the first address of $name", ({ base, want }) => {
    expect(nodeIPOf(base)).toBe(want);
  });
});

describe("parsePodIPBase", () => {
  it.each(["10.1", "127.300", "127.1.2.3", "", "127.0.0"])("rejects %j", (base) => {
    expect(() => parsePodIPBase(base)).toThrow(RangeError);
  });
});

describe("PodIPAllocator", () => {
  it("gives each pod its own IP, the same one when asked again, and remembers them across restarts", () => {
    const file = stateFile();
    const ipam = new PodIPAllocator(file, "127.9");
    const a = ipam.allocate("a");
    const b = ipam.allocate("b");
    expect(a).not.toBe(b);
    expect(ipam.allocate("a")).toBe(a);

    const restarted = new PodIPAllocator(file, "127.9");
    expect(restarted.ipOf("a")).toBe(a);
    const c = restarted.allocate("c");
    expect([a, b]).not.toContain(c);
    expect(restarted.allocatedPods().sort()).toEqual(["a", "b", "c"]);
  });

  it("does not hand a released IP out again at once", () => {
    const ipam = new PodIPAllocator(stateFile(), "127.9");
    const a = ipam.allocate("a");
    ipam.release("a");
    expect(ipam.ipOf("a")).toBeUndefined();
    expect(ipam.allocate("b")).not.toBe(a);
  });

  it("wraps around a full range to a freed address, never giving out the node's address", () => {
    const ipam = new PodIPAllocator(stateFile(), "127.9.9");
    const ips = Array.from({ length: 253 }, (_, i) => ipam.allocate(`p${i}`));
    expect(new Set(ips).size).toBe(253);
    expect(ips).not.toContain("127.9.9.1");
    expect(() => ipam.allocate("one-too-many")).toThrow(/no free pod IP/);
    ipam.release("p7");
    expect(ipam.allocate("late")).toBe(ips[7]);
  });
});
