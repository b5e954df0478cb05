import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { createConnection, createServer, isIPv6, type Server, type Socket as TcpSocket } from "node:net";
import {
  AUTHORITATIVE_ANSWER,
  RECURSION_AVAILABLE,
  RECURSION_DESIRED,
  TRUNCATED_RESPONSE,
  decode,
  encode,
  type Answer,
  type DecodedPacket,
  type OptAnswer,
  type Packet,
  type Question,
} from "dns-packet";
import { readResolvConf } from "@capstan/apimachinery";
import { compressOwnerNames } from "./name-compression.js";
import type { RecordSource } from "./record-store.js";

/** A resolver other names are forwarded to; resolv.conf can only name port 53. */
export interface Upstream {
  readonly host: string;
  readonly port: number;
}

export type Transport = "udp" | "tcp";
export type Rcode = "NOERROR" | "FORMERR" | "SERVFAIL" | "NXDOMAIN" | "NOTIMP" | "REFUSED";

/** One answered (or dropped) query, for whoever counts them. */
export interface DnsQueryObservation {
  readonly transport: Transport;
  readonly type: string | undefined;
  /** undefined when the packet was dropped without an answer. */
  readonly rcode: Rcode | undefined;
  readonly forwarded: boolean;
  readonly truncated: boolean;
  readonly durationMs: number;
}

export interface DnsMetrics {
  observeQuery(observation: DnsQueryObservation): void;
}

export interface DnsServerOptions {
  readonly records: RecordSource;
  /** "0.0.0.0" unless told. */
  readonly host?: string;
  /** 53 unless told; 0 picks a free port, the same one for UDP and TCP. */
  readonly port?: number;
  /** Where questions outside the cluster go; the nameservers of /etc/resolv.conf unless told. */
  readonly upstreams?: readonly Upstream[];
  /** How long one upstream may take before the next is tried; 2 s unless told. */
  readonly upstreamTimeoutMs?: number;
  /** Largest UDP answer we offer to EDNS clients; 1232 unless told (no fragmentation on common paths). */
  readonly maxUdpPayload?: number;
  /** How long an idle TCP connection is kept; 10 s unless told. */
  readonly tcpIdleTimeoutMs?: number;
  readonly metrics?: DnsMetrics;
  readonly log?: (message: string) => void;
}

export interface DnsServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

const HEADER_BYTES = 12;
const CLASSIC_UDP_LIMIT = 512;
const MAX_TCP_MESSAGE = 65_535;
const RCODE_VALUES: Record<Rcode, number> = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 };
const BIND_ATTEMPTS = 20;

/**
 * Starts the cluster DNS server on UDP and TCP. Names in the cluster zone are answered from `records`;
 * everything else is forwarded to the upstream resolvers.
 */
export async function startDnsServer(options: DnsServerOptions): Promise<DnsServer> {
  const host = options.host ?? "0.0.0.0";
  const handler = new QueryHandler(options);
  const { udp, tcp, port } = await bindBoth(host, options.port ?? 53);

  udp.on("message", (message, remote) => void answerUdp(udp, handler, message, remote));
  udp.on("error", (error) => options.log?.(`dns udp: ${error.message}`));
  const connections = new Set<TcpSocket>();
  tcp.on("connection", (socket) => {
    connections.add(socket);
    socket.on("close", () => connections.delete(socket));
    serveTcpConnection(socket, handler, options.tcpIdleTimeoutMs ?? 10_000, options.log);
  });
  tcp.on("error", (error) => options.log?.(`dns tcp: ${error.message}`));

  return {
    host,
    port,
    close: async () => {
      for (const socket of connections) socket.destroy();
      await Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        new Promise<void>((resolve) => tcp.close(() => resolve())),
      ]);
    },
  };
}

async function answerUdp(udp: Socket, handler: QueryHandler, message: Buffer, remote: RemoteInfo): Promise<void> {
  const reply = await handler.answer(message, "udp");
  if (reply === undefined) return;
  const failed = (error: Error): void => handler.log?.(`dns udp reply to ${remote.address}:${remote.port}: ${error.message}`);
  try {
    udp.send(reply, remote.port, remote.address, (error) => error && failed(error));
  } catch (error) {
    // The socket was closed while an upstream was still being asked.
    failed(error as Error);
  }
}

/** DNS over TCP: each message is preceded by its length in two bytes; several may share a connection. */
function serveTcpConnection(socket: TcpSocket, handler: QueryHandler, idleTimeoutMs: number, log?: (m: string) => void): void {
  let pending = Buffer.alloc(0);
  socket.setTimeout(idleTimeoutMs, () => socket.destroy());
  socket.on("error", (error) => log?.(`dns tcp connection: ${error.message}`));
  socket.on("data", (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 2) {
      const length = pending.readUInt16BE(0);
      if (pending.length < 2 + length) break;
      const message = pending.subarray(2, 2 + length);
      pending = pending.subarray(2 + length);
      // Replies may leave in another order than the queries came, which RFC 7766 allows.
      void handler.answer(message, "tcp").then((reply) => {
        if (reply !== undefined && socket.writable) socket.write(withLengthPrefix(reply));
      });
    }
  });
}

class QueryHandler {
  readonly log: ((message: string) => void) | undefined;
  private readonly records: RecordSource;
  private readonly upstreams: readonly Upstream[];
  private readonly upstreamTimeoutMs: number;
  private readonly maxUdpPayload: number;
  private readonly metrics: DnsMetrics | undefined;
  private readonly answers = new AnswerCache();

  constructor(options: DnsServerOptions) {
    this.records = options.records;
    this.upstreams = options.upstreams ?? readResolvConf().nameservers.map((host) => ({ host, port: 53 }));
    this.upstreamTimeoutMs = options.upstreamTimeoutMs ?? 2_000;
    this.maxUdpPayload = options.maxUdpPayload ?? 1232;
    this.metrics = options.metrics;
    this.log = options.log;
  }

  /** The reply to one message, or undefined to drop it. Never throws. */
  async answer(message: Buffer, transport: Transport): Promise<Buffer | undefined> {
    const started = performance.now();
    let observation: Omit<DnsQueryObservation, "durationMs"> = { transport, type: undefined, rcode: undefined, forwarded: false, truncated: false };
    try {
      // Read before the lookup: an answer is filed under the version it was computed from, never a later one.
      const version = this.records.version;
      const cached = this.answers.get(message, transport, version);
      if (cached !== undefined) {
        observation = { ...observation, ...cached.observation };
        return cached.reply;
      }
      const result = await this.reply(message, transport);
      observation = { ...observation, ...result.observation };
      if (result.reply !== undefined && result.observation.forwarded !== true && result.observation.type !== undefined) {
        this.answers.set(message, transport, version, result.reply, result.observation);
      }
      return result.reply;
    } catch (error) {
      this.log?.(`dns: answering a ${transport} query: ${error instanceof Error ? error.message : String(error)}`);
      const reply = errorReply(message, "SERVFAIL");
      observation = { ...observation, rcode: reply === undefined ? undefined : "SERVFAIL" };
      return reply;
    } finally {
      this.metrics?.observeQuery({ ...observation, durationMs: performance.now() - started });
    }
  }

  private async reply(message: Buffer, transport: Transport): Promise<{ reply: Buffer | undefined; observation: Partial<DnsQueryObservation> }> {
    // Too short for a header, or itself a response: nothing sensible to answer.
    if (message.length < HEADER_BYTES || (message[2]! & 0x80) !== 0) return { reply: undefined, observation: {} };
    let query: DecodedPacket;
    try {
      query = decode(message);
    } catch {
      return { reply: errorReply(message, "FORMERR"), observation: { rcode: "FORMERR" } };
    }
    const opcode = (message[2]! >> 3) & 0x0f;
    if (opcode !== 0) return { reply: errorReply(message, "NOTIMP"), observation: { rcode: "NOTIMP" } };
    const question = query.questions?.length === 1 ? query.questions[0] : undefined;
    if (question === undefined) return { reply: errorReply(message, "FORMERR"), observation: { rcode: "FORMERR" } };

    const lookup = this.records.lookup(question.name, question.type);
    if (lookup.kind === "outside") {
      const upstreamReply = await this.forward(message, transport);
      if (upstreamReply !== undefined) return { reply: upstreamReply, observation: { type: question.type, rcode: rcodeOf(upstreamReply), forwarded: true } };
      return { reply: errorReply(message, "SERVFAIL"), observation: { type: question.type, rcode: "SERVFAIL", forwarded: true } };
    }

    const requestOpt = query.additionals?.find((a): a is OptAnswer => a.type === "OPT");
    const response: Packet = {
      type: "response",
      id: query.id ?? 0,
      flags: AUTHORITATIVE_ANSWER | RECURSION_AVAILABLE | ((query.flags ?? 0) & RECURSION_DESIRED) | RCODE_VALUES[lookup.rcode],
      questions: [question],
      answers: lookup.answers,
      authorities: lookup.authorities,
      additionals: requestOpt === undefined ? lookup.additionals : [...lookup.additionals, this.opt()],
    };
    const limit = transport === "tcp" ? MAX_TCP_MESSAGE : this.udpLimit(requestOpt);
    const { reply, truncated } = fitInto(response, limit, question, requestOpt === undefined ? undefined : this.opt());
    return { reply, observation: { type: question.type, rcode: lookup.rcode, truncated } };
  }

  private udpLimit(opt: OptAnswer | undefined): number {
    if (opt === undefined) return CLASSIC_UDP_LIMIT;
    return Math.min(Math.max(opt.udpPayloadSize, CLASSIC_UDP_LIMIT), this.maxUdpPayload);
  }

  private opt(): OptAnswer {
    return { type: "OPT", name: ".", udpPayloadSize: this.maxUdpPayload, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] };
  }

  /** Sends the query as it came to each upstream in turn; the first reply wins. */
  private async forward(message: Buffer, transport: Transport): Promise<Buffer | undefined> {
    for (const upstream of this.upstreams) {
      try {
        let reply = await exchangeUdp(upstream, message, this.upstreamTimeoutMs);
        // A TCP client can take the whole answer, so fetch it whole when the upstream truncated.
        if (transport === "tcp" && (reply[2]! & 0x02) !== 0) reply = await exchangeTcp(upstream, message, this.upstreamTimeoutMs);
        return reply;
      } catch (error) {
        this.log?.(`dns: upstream ${upstream.host}:${upstream.port}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return undefined;
  }
}

type Observed = Partial<Omit<DnsQueryObservation, "durationMs">>;

/**
 * Replies from the records, by the query's bytes after its id (the question, flags and EDNS options all
 * shape the reply), kept while the records' version stands: a hit skips decoding, lookup, encoding and
 * name compression, and costs a copy.
 */
class AnswerCache {
  private static readonly MAX_ENTRIES = 10_000;
  private readonly entries = new Map<string, { reply: Buffer; observation: Observed }>();
  private version: number | undefined;

  get(message: Buffer, transport: Transport, version: number | undefined): { reply: Buffer; observation: Observed } | undefined {
    if (version === undefined || version !== this.version) return undefined;
    const hit = this.entries.get(cacheKey(message, transport));
    if (hit === undefined) return undefined;
    const reply = Buffer.from(hit.reply);
    message.copy(reply, 0, 0, 2);
    return { reply, observation: hit.observation };
  }

  set(message: Buffer, transport: Transport, version: number | undefined, reply: Buffer, observation: Observed): void {
    if (version === undefined) return;
    if (version !== this.version || this.entries.size >= AnswerCache.MAX_ENTRIES) {
      this.entries.clear();
      this.version = version;
    }
    this.entries.set(cacheKey(message, transport), { reply: Buffer.from(reply), observation });
  }
}

function cacheKey(message: Buffer, transport: Transport): string {
  return `${transport}${message.toString("latin1", 2)}`;
}

/** Encodes the response; if it is too big, drops the additionals, then everything, and sets TC. */
function fitInto(response: Packet, limit: number, question: Question, opt: OptAnswer | undefined): { reply: Buffer; truncated: boolean } {
  const whole = compressOwnerNames(encode(response));
  if (whole.length <= limit) return { reply: whole, truncated: false };
  const optOnly: Answer[] = opt === undefined ? [] : [opt];
  const withoutAdditionals = compressOwnerNames(encode({ ...response, additionals: optOnly }));
  if (withoutAdditionals.length <= limit) return { reply: withoutAdditionals, truncated: false };
  const truncated = encode({ ...response, flags: (response.flags ?? 0) | TRUNCATED_RESPONSE, questions: [question], answers: [], authorities: [], additionals: optOnly });
  return { reply: truncated, truncated: true };
}

/**
 * A header-only reply carrying the query's id and the given rcode, built by hand because the query may
 * not decode; undefined when there is not even a header to answer.
 */
function errorReply(message: Buffer, rcode: Rcode): Buffer | undefined {
  if (message.length < HEADER_BYTES) return undefined;
  const reply = Buffer.alloc(HEADER_BYTES);
  message.copy(reply, 0, 0, 2);
  const opcodeAndRd = message[2]! & 0x79;
  reply[2] = 0x80 | opcodeAndRd;
  reply[3] = 0x80 | RCODE_VALUES[rcode];
  return reply;
}

function rcodeOf(reply: Buffer): Rcode | undefined {
  const value = (reply[3] ?? 0) & 0x0f;
  return (Object.keys(RCODE_VALUES) as Rcode[]).find((name) => RCODE_VALUES[name] === value);
}

function withLengthPrefix(message: Buffer): Buffer {
  const framed = Buffer.alloc(2 + message.length);
  framed.writeUInt16BE(message.length, 0);
  message.copy(framed, 2);
  return framed;
}

/** One query over a fresh UDP socket, so replies cannot be confused across queries. */
function exchangeUdp(upstream: Upstream, message: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIPv6(upstream.host.split("%")[0] ?? "") ? "udp6" : "udp4");
    const timer = setTimeout(() => finish(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
    const finish = (error: Error | undefined, reply?: Buffer): void => {
      clearTimeout(timer);
      socket.removeAllListeners("message");
      socket.on("error", () => {});
      socket.close();
      if (error !== undefined) reject(error);
      else resolve(reply!);
    };
    socket.on("error", (error) => finish(error));
    socket.on("message", (reply, remote) => {
      // Only the upstream's answer to this id counts; anything else is ignored.
      if (remote.port !== upstream.port || reply.length < HEADER_BYTES || reply.readUInt16BE(0) !== message.readUInt16BE(0)) return;
      finish(undefined, reply);
    });
    socket.send(message, upstream.port, upstream.host, (error) => {
      if (error) finish(error);
    });
  });
}

function exchangeTcp(upstream: Upstream, message: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: upstream.host, port: upstream.port });
    let received = Buffer.alloc(0);
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    socket.on("error", reject);
    socket.on("close", () => reject(new Error("connection closed before an answer")));
    socket.on("connect", () => socket.write(withLengthPrefix(message)));
    socket.on("data", (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 2 || received.length < 2 + received.readUInt16BE(0)) return;
      resolve(received.subarray(2, 2 + received.readUInt16BE(0)));
      socket.destroy();
    });
  });
}

/** Binds UDP and TCP to one port; with port 0, retries until a free UDP port is also free for TCP. */
async function bindBoth(host: string, port: number): Promise<{ udp: Socket; tcp: Server; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const udp = createSocket(isIPv6(host) ? "udp6" : "udp4");
    await new Promise<void>((resolve, reject) => {
      udp.once("error", reject);
      udp.bind(port, host, () => {
        udp.off("error", reject);
        resolve();
      });
    });
    const boundPort = udp.address().port;
    const tcp = createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once("error", reject);
        tcp.listen(boundPort, host, () => {
          tcp.off("error", reject);
          resolve();
        });
      });
      return { udp, tcp, port: boundPort };
    } catch (error) {
      udp.close();
      if (port !== 0 || attempt >= BIND_ATTEMPTS || (error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    }
  }
}
