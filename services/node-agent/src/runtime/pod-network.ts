import { UnavailableError } from "@capstan/apimachinery";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Pod IPs come from 127.0.0.0/8: on Linux the whole block is loopback, so a server bound to 127.1.0.7 is
 * reachable from the host and from every pod without any interface set-up. `podIPBase` ("127.1") is the
 * fixed prefix, so two agents on one host can be given disjoint ranges. 127.0.0.0/24 is never handed out
 * (127.0.0.1 and 127.0.0.53 are the host's).
 */
export function parsePodIPBase(base: string): number[] {
  const octets = base.split(".").map((part) => (/^\d{1,3}$/.test(part) ? Number(part) : NaN));
  if (octets.length < 1 || octets.length > 3 || octets[0] !== 127 || octets.some((o) => !(o >= 0 && o <= 255))) {
    throw new RangeError(`podIPBase "${base}" must be 1 to 3 octets of 127.0.0.0/8, e.g. "127.1"`);
  }
  if (octets.length === 3 && octets[1] === 0 && octets[2] === 0) {
    throw new RangeError(`podIPBase "${base}" is the host's 127.0.0.0/24`);
  }
  return octets;
}

/** The `index`-th address after the prefix, or undefined for addresses a pod must not get. */
export function podIPAt(prefix: readonly number[], index: number): string | undefined {
  const hostOctets = 4 - prefix.length;
  const octets = [...prefix];
  for (let i = hostOctets - 1; i >= 0; i--) octets.push(Math.floor(index / 256 ** i) % 256);
  const last = octets[3];
  if (last === 0 || last === 255) return undefined;
  if (octets[1] === 0 && octets[2] === 0) return undefined;
  return octets.join(".");
}

/**
 * The node's own address (its InternalIP, unless CAPSTAN_NODE_IP says otherwise): the first address of
 * its pod range, so each agent on a host has one of its own that no pod is ever given.
 */
export function nodeIPOf(base: string): string {
  const prefix = parsePodIPBase(base);
  for (let index = 0; ; index++) {
    const ip = podIPAt(prefix, index);
    if (ip !== undefined) return ip;
  }
}

interface Allocations {
  /** Round robin: the next search starts after the last address handed out, so a freed IP is not reused at once. */
  cursor: number;
  ips: Record<string, string>;
}

/** One IP per pod uid (never the node's), persisted in `file` so a restarted agent neither loses nor reuses them. */
export class PodIPAllocator {
  private readonly prefix: number[];
  private readonly size: number;
  private readonly nodeIP: string;
  private state: Allocations;

  constructor(
    private readonly file: string,
    base: string,
  ) {
    this.prefix = parsePodIPBase(base);
    this.size = 256 ** (4 - this.prefix.length);
    this.nodeIP = nodeIPOf(base);
    this.state = readAllocations(file);
  }

  ipOf(podUid: string): string | undefined {
    return this.state.ips[podUid];
  }

  allocatedPods(): string[] {
    return Object.keys(this.state.ips);
  }

  allocate(podUid: string): string {
    const existing = this.state.ips[podUid];
    if (existing) return existing;
    const used = new Set(Object.values(this.state.ips));
    for (let step = 1; step <= this.size; step++) {
      const index = (this.state.cursor + step) % this.size;
      const ip = podIPAt(this.prefix, index);
      if (ip === undefined || ip === this.nodeIP || used.has(ip)) continue;
      this.state = { cursor: index, ips: { ...this.state.ips, [podUid]: ip } };
      this.save();
      return ip;
    }
    throw new UnavailableError(`no free pod IP left under ${this.prefix.join(".")}`);
  }

  release(podUid: string): void {
    if (!(podUid in this.state.ips)) return;
    const { [podUid]: _released, ...ips } = this.state.ips;
    this.state = { cursor: this.state.cursor, ips };
    this.save();
  }

  private save(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state));
    renameSync(tmp, this.file);
  }
}

function readAllocations(file: string): Allocations {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { cursor: 0, ips: {} };
    throw e;
  }
  const parsed = JSON.parse(text) as Partial<Allocations>;
  return { cursor: parsed.cursor ?? 0, ips: parsed.ips ?? {} };
}
