import { decode, encode, type Packet } from "dns-packet";
import { describe, expect, it } from "vitest";
import { compressOwnerNames } from "./name-compression.js";

const name = "many.big.svc.cluster.local";

describe("compressOwnerNames", () => {
  it.each<{ case: string; packet: Packet }>([
    {
      case: "repeated owner names",
      packet: {
        type: "response",
        id: 9,
        questions: [{ type: "A", name }],
        answers: Array.from({ length: 20 }, (_, i) => ({ type: "A" as const, name, ttl: 5, data: `10.0.0.${i + 1}` })),
      },
    },
    {
      case: "SRV with additionals and an SOA, names in RDATA kept",
      packet: {
        type: "response",
        questions: [{ type: "SRV", name: `_p._tcp.${name}` }],
        answers: [{ type: "SRV", name: `_p._tcp.${name}`, ttl: 5, data: { priority: 0, weight: 100, port: 80, target: `a.${name}` } }],
        authorities: [{ type: "SOA", name: "cluster.local", ttl: 5, data: { mname: "ns.dns.cluster.local", rname: "hostmaster.cluster.local", serial: 1 } }],
        additionals: [
          { type: "A", name: `a.${name}`, ttl: 5, data: "10.0.0.1" },
          { type: "A", name: `A.${name}`, ttl: 5, data: "10.0.0.2" },
          { type: "OPT", name: ".", udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] },
        ],
      },
    },
    { case: "a question alone", packet: { type: "query", questions: [{ type: "A", name }] } },
  ])("decodes to the same message: $case", ({ packet }) => {
    const plain = encode(packet);
    const compressed = compressOwnerNames(plain);
    expect(decode(compressed)).toEqual(decode(plain));
    expect(compressed.length).toBeLessThanOrEqual(plain.length);
  });

  it("shrinks sixty A records of one name below 1232 bytes", () => {
    const answers = Array.from({ length: 60 }, (_, i) => ({ type: "A" as const, name, ttl: 5, data: `10.0.0.${i + 1}` }));
    const plain = encode({ type: "response", questions: [{ type: "A", name }], answers });
    expect(plain.length).toBeGreaterThan(1232);
    expect(compressOwnerNames(plain).length).toBeLessThan(1232);
  });
});
