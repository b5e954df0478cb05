import { execFile, execFileSync } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { connect, createServer } from "node:net";
import { promisify } from "node:util";
import { RECURSION_AVAILABLE, TRUNCATED_RESPONSE, decode, encode, type Answer } from "dns-packet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDnsServer, type DnsQueryObservation, type DnsServer } from "./dns-server.js";
import { createRecordStore } from "./record-store.js";

const run = promisify(execFile);

/** These tests speak to the server with the real dig; without it they fail and say how to get it. */
function requireDig(): void {
  try {
    execFileSync("dig", ["-v"], { stdio: "ignore" });
  } catch {
    throw new Error("`dig` is missing: install it with `apt-get install -y dnsutils` (.ci/run does)");
  }
}

interface DigResult {
  status: string;
  flags: string[];
  answer: string[];
  authority: string[];
}

/** Runs the real dig (asynchronously: the server under test shares this event loop) and parses its output. */
async function dig(server: DnsServer, args: string[]): Promise<DigResult> {
  const { stdout } = await run("dig", [`@${server.host}`, "-p", String(server.port), "+tries=1", "+time=3", ...args]);
  const status = /status: (\w+)/.exec(stdout)?.[1] ?? "NO-REPLY";
  const flags = (/;; flags: ([a-z ]*);/.exec(stdout)?.[1] ?? "").split(" ").filter(Boolean);
  const section = (title: string): string[] => {
    const start = stdout.indexOf(`;; ${title} SECTION:\n`);
    if (start < 0) return [];
    const body = stdout.slice(start).split("\n").slice(1);
    const end = body.findIndex((line) => line.trim() === "");
    // "name. ttl IN TYPE data…" → "name. ttl TYPE data…", whitespace collapsed.
    return (end < 0 ? body : body.slice(0, end)).map((line) => line.split(/\s+/).filter((f) => f !== "IN").join(" ")).sort();
  };
  return { status, flags, answer: section("ANSWER"), authority: section("AUTHORITY") };
}

interface FakeUpstream {
  readonly port: number;
  readonly queries: string[];
  close(): void;
}

/**
 * A stand-in for the node's resolver, on UDP and TCP: answers example.com, stays silent for
 * silent.example, and answers big.example only over TCP (truncated over UDP).
 */
async function startFakeUpstream(): Promise<FakeUpstream> {
  const queries: string[] = [];
  const replyTo = (message: Buffer, transport: "udp" | "tcp"): Buffer | undefined => {
    const query = decode(message);
    const question = query.questions?.[0];
    if (question === undefined) return undefined;
    queries.push(`${question.name} ${question.type} ${transport}`);
    if (question.name === "silent.example") return undefined;
    const truncated = question.name === "big.example" && transport === "udp";
    const answers: Answer[] =
      question.name === "example.com"
        ? [{ type: "A", name: "example.com", ttl: 60, data: "93.184.216.34" }]
        : question.name === "big.example" && !truncated
          ? [1, 2, 3].map((i) => ({ type: "A" as const, name: "big.example", ttl: 60, data: `192.0.2.${i}` }))
          : [];
    const flags = (query.flags ?? 0) | RECURSION_AVAILABLE | (truncated ? TRUNCATED_RESPONSE : 0);
    return encode({ type: "response", id: query.id ?? 0, flags, questions: [question], answers });
  };

  const udp = createSocket("udp4");
  udp.on("message", (message, remote) => {
    const reply = replyTo(message, "udp");
    if (reply !== undefined) udp.send(reply, remote.port, remote.address);
  });
  await new Promise<void>((resolve) => udp.bind(0, "127.0.0.1", resolve));
  const port = udp.address().port;
  const tcp = createServer((socket) => {
    socket.on("error", () => {});
    socket.once("data", (chunk) => {
      const reply = replyTo(chunk.subarray(2, 2 + chunk.readUInt16BE(0)), "tcp");
      if (reply !== undefined) socket.end(framed(reply));
    });
  });
  await new Promise<void>((resolve) => tcp.listen(port, "127.0.0.1", resolve));
  return {
    port,
    queries,
    close: () => {
      udp.close();
      tcp.close();
    },
  };
}

/** A UDP port on which nothing answers. */
async function aSilentPort(): Promise<{ port: number; close(): void }> {
  const socket: Socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return { port: socket.address().port, close: () => socket.close() };
}

function sendUdp(server: DnsServer, message: Buffer, waitMs = 500): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket("udp4");
    const timer = setTimeout(() => done(undefined), waitMs);
    const done = (reply: Buffer | undefined): void => {
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    };
    socket.on("message", (reply) => done(reply));
    socket.send(message, server.port, server.host);
  });
}

function sendTcpRaw(server: DnsServer, bytes: Buffer, waitMs = 500): Promise<Buffer> {
  return new Promise((resolve) => {
    const socket = connect(server.port, server.host);
    let received = Buffer.alloc(0);
    socket.on("data", (chunk) => (received = Buffer.concat([received, chunk])));
    socket.on("error", () => {});
    socket.on("connect", () => socket.write(bytes));
    setTimeout(() => {
      socket.destroy();
      resolve(received);
    }, waitMs);
  });
}

function framed(message: Buffer): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(message.length);
  return Buffer.concat([length, message]);
}

describe("DNS server, queried with dig", () => {
  beforeAll(requireDig);

  let server: DnsServer;
  let upstream: FakeUpstream;
  const observations: DnsQueryObservation[] = [];
  const records = createRecordStore();

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    records.setService({ namespace: "default", name: "web", clusterIP: "10.96.0.10", ports: [{ name: "http", protocol: "TCP", port: 80 }] });
    records.setService({ namespace: "db", name: "pg", clusterIP: "None", ports: [{ name: "postgres", protocol: "TCP", port: 5432 }] });
    records.setEndpoints(
      "db",
      "pg",
      [
        { ip: "10.244.2.1", hostname: "pg-0", ready: true },
        { ip: "10.244.2.2", hostname: "pg-1", ready: true },
        { ip: "10.244.2.3", hostname: "pg-2", ready: false },
      ],
      [{ name: "postgres", protocol: "TCP", port: 5432 }],
    );
    // Sixty ready pods: their A records do not fit in 512 bytes.
    records.setService({ namespace: "big", name: "many", clusterIP: "None", ports: [] });
    records.setEndpoints("big", "many", Array.from({ length: 60 }, (_, i) => ({ ip: `10.50.0.${i + 1}`, ready: true })), []);
    server = await startDnsServer({
      records,
      host: "127.0.0.1",
      port: 0,
      upstreams: [{ host: "127.0.0.1", port: upstream.port }],
      upstreamTimeoutMs: 300,
      metrics: { observeQuery: (o) => observations.push(o) },
    });
  });

  afterAll(async () => {
    await server?.close();
    upstream?.close();
  });

  describe.each([
    { transport: "UDP", extra: [] as string[] },
    { transport: "TCP", extra: ["+tcp"] },
  ])("over $transport", ({ extra }) => {
    it.each([
      { case: "service A", args: ["web.default.svc.cluster.local", "A"], want: ["web.default.svc.cluster.local. 5 A 10.96.0.10"] },
      {
        case: "headless A: the ready pods",
        args: ["pg.db.svc.cluster.local", "A"],
        want: ["pg.db.svc.cluster.local. 5 A 10.244.2.1", "pg.db.svc.cluster.local. 5 A 10.244.2.2"],
      },
      { case: "StatefulSet pod", args: ["pg-1.pg.db.svc.cluster.local", "A"], want: ["pg-1.pg.db.svc.cluster.local. 5 A 10.244.2.2"] },
      {
        case: "SRV of a named port",
        args: ["_http._tcp.web.default.svc.cluster.local", "SRV"],
        want: ["_http._tcp.web.default.svc.cluster.local. 5 SRV 0 100 80 web.default.svc.cluster.local."],
      },
      {
        case: "headless SRV",
        args: ["_postgres._tcp.pg.db.svc.cluster.local", "SRV"],
        want: [
          "_postgres._tcp.pg.db.svc.cluster.local. 5 SRV 0 50 5432 pg-0.pg.db.svc.cluster.local.",
          "_postgres._tcp.pg.db.svc.cluster.local. 5 SRV 0 50 5432 pg-1.pg.db.svc.cluster.local.",
        ],
      },
      { case: "PTR of a service IP", args: ["-x", "10.96.0.10"], want: ["10.0.96.10.in-addr.arpa. 5 PTR web.default.svc.cluster.local."] },
      { case: "PTR of a pod IP", args: ["-x", "10.244.2.1"], want: ["1.2.244.10.in-addr.arpa. 5 PTR pg-0.pg.db.svc.cluster.local."] },
      { case: "a forwarded name", args: ["example.com", "A"], want: ["example.com. 60 A 93.184.216.34"] },
    ])("answers $case", async ({ args, want }) => {
      const result = await dig(server, [...extra, ...args]);
      expect(result.status).toBe("NOERROR");
      expect(result.answer).toEqual(want);
    });

    it("answers NXDOMAIN with the zone's SOA for a name that does not exist", async () => {
      const result = await dig(server, [...extra, "nope.default.svc.cluster.local", "A"]);
      expect(result.status).toBe("NXDOMAIN");
      expect(result.flags).toContain("aa");
      expect(result.answer).toEqual([]);
      expect(result.authority).toEqual([
        expect.stringMatching(/^cluster\.local\. 5 SOA ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\. \d+ 7200 1800 86400 5$/),
      ]);
    });

    it("answers NODATA (NOERROR, no answers, the SOA) for a name without that type", async () => {
      const result = await dig(server, [...extra, "web.default.svc.cluster.local", "AAAA"]);
      expect(result.status).toBe("NOERROR");
      expect(result.answer).toEqual([]);
      expect(result.authority).toHaveLength(1);
      expect(result.authority[0]).toMatch(/^cluster\.local\. 5 SOA /);
    });

    it("answers SERVFAIL when the upstream does not answer in time", async () => {
      const result = await dig(server, [...extra, "silent.example", "A"]);
      expect(result.status).toBe("SERVFAIL");
    });
  });

  it("forwards outside names to the upstream", async () => {
    await dig(server, ["example.com", "A"]);
    expect(upstream.queries).toContain("example.com A udp");
  });

  it("passes a truncated upstream answer to a UDP client, and fetches it whole over TCP for a TCP client", async () => {
    const overUdp = await dig(server, ["+ignore", "big.example", "A"]);
    expect(overUdp.flags).toContain("tc");
    const overTcp = await dig(server, ["+tcp", "big.example", "A"]);
    expect(overTcp.flags).not.toContain("tc");
    expect(overTcp.answer).toEqual(["big.example. 60 A 192.0.2.1", "big.example. 60 A 192.0.2.2", "big.example. 60 A 192.0.2.3"]);
    expect(upstream.queries).toContain("big.example A tcp");
  });

  it("tries the next upstream when one does not answer", async () => {
    const silent = await aSilentPort();
    const failover = await startDnsServer({
      records: createRecordStore(),
      host: "127.0.0.1",
      port: 0,
      upstreams: [
        { host: "127.0.0.1", port: silent.port },
        { host: "127.0.0.1", port: upstream.port },
      ],
      upstreamTimeoutMs: 200,
    });
    try {
      const result = await dig(failover, ["example.com", "A"]);
      expect(result.answer).toEqual(["example.com. 60 A 93.184.216.34"]);
    } finally {
      await failover.close();
      silent.close();
    }
  });

  it("truncates a UDP answer over 512 bytes for a client without EDNS, and dig then gets it whole over TCP", async () => {
    const truncated = await dig(server, ["+noedns", "+ignore", "many.big.svc.cluster.local", "A"]);
    expect(truncated.flags).toContain("tc");
    expect(truncated.answer).toEqual([]);

    const retried = await dig(server, ["+noedns", "many.big.svc.cluster.local", "A"]);
    expect(retried.flags).not.toContain("tc");
    expect(retried.answer).toHaveLength(60);
  });

  it("sends the whole answer over UDP when EDNS offers room for it", async () => {
    const result = await dig(server, ["+bufsize=1232", "+ignore", "many.big.svc.cluster.local", "A"]);
    expect(result.flags).not.toContain("tc");
    expect(result.answer).toHaveLength(60);
  });

  it("answers FORMERR to a malformed UDP packet, drops a runt, and keeps answering", async () => {
    // A header that promises one question, followed by a name whose label runs past the end.
    const malformed = Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0x3f, 0x61, 0x62]);
    const reply = await sendUdp(server, malformed);
    expect(reply).toBeDefined();
    expect(reply!.readUInt16BE(0)).toBe(0x1234);
    expect(reply![3]! & 0x0f).toBe(1);
    expect(await sendUdp(server, Buffer.from([1, 2, 3]), 200)).toBeUndefined();

    const result = await dig(server, ["web.default.svc.cluster.local", "A"]);
    expect(result.answer).toEqual(["web.default.svc.cluster.local. 5 A 10.96.0.10"]);
  });

  it("answers FORMERR to a malformed message over TCP and then answers the next one on the same connection", async () => {
    const malformed = Buffer.from([0xab, 0xcd, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0x3f]);
    const good = encode({ type: "query", id: 7, questions: [{ type: "A", name: "web.default.svc.cluster.local" }] });
    const received = await sendTcpRaw(server, Buffer.concat([framed(malformed), framed(good)]));

    const first = received.subarray(2, 2 + received.readUInt16BE(0));
    expect(first.readUInt16BE(0)).toBe(0xabcd);
    expect(first[3]! & 0x0f).toBe(1);
    const rest = received.subarray(2 + first.length);
    const second = decode(rest.subarray(2, 2 + rest.readUInt16BE(0)));
    expect(second.id).toBe(7);
    expect(second.answers).toMatchObject([{ type: "A", data: "10.96.0.10" }]);

    expect((await dig(server, ["+tcp", "web.default.svc.cluster.local", "A"])).status).toBe("NOERROR");
  });

  it("answers a repeated question with the asker's id, and a changed record at once", async () => {
    const ask = async (id: number) => decode((await sendUdp(server, encode({ type: "query", id, flags: 0, questions: [{ type: "A", name: "cache.default.svc.cluster.local" }] })))!);
    records.setService({ namespace: "default", name: "cache", clusterIP: "10.96.0.30", ports: [{ protocol: "TCP", port: 80 }] });
    expect(await ask(1)).toMatchObject({ id: 1, answers: [{ type: "A", data: "10.96.0.30" }] });
    expect(await ask(2)).toMatchObject({ id: 2, answers: [{ type: "A", data: "10.96.0.30" }] });
    records.setService({ namespace: "default", name: "cache", clusterIP: "10.96.0.31", ports: [{ protocol: "TCP", port: 80 }] });
    expect(await ask(3)).toMatchObject({ id: 3, answers: [{ type: "A", data: "10.96.0.31" }] });
    records.deleteService("default", "cache");
    // rcode 3: NXDOMAIN.
    expect((await ask(4)).flags! & 0x0f).toBe(3);
  });

  it("reports each query to the metrics hook", async () => {
    await dig(server, ["nope.default.svc.cluster.local", "A"]);
    expect(observations).toContainEqual(
      expect.objectContaining({ transport: "udp", type: "A", rcode: "NXDOMAIN", forwarded: false, truncated: false }),
    );
    expect(observations).toContainEqual(expect.objectContaining({ type: "A", rcode: "NOERROR", forwarded: true }));
  });
});
