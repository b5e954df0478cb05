import { randomInt } from "node:crypto";
import { createServer, type Server } from "node:net";

/**
 * The addresses a test cluster takes on this host: a 127.X.0.0/16 of pod IPs per node agent, and a /24
 * of 10.96.0.0/12 for cluster IPs that its agents route to the loopback. Clusters of test files run in
 * parallel (and of other checkouts on the machine) must never share one: two pods on one address, or
 * two clusters' proxies on one cluster IP, answer for each other; and a cluster that stops removes
 * the route the other still uses.
 *
 * Each range is claimed by listening on a loopback address that stands for it (the kernel makes that
 * atomic and lets it go with the process), so a crashed run leaves no stale claim behind.
 */
export interface HostRanges {
  /** One pod IP base ("127.X") per node. */
  readonly podIPBases: string[];
  readonly serviceCIDR: string;
  release(): Promise<void>;
}

/** Where a claim listens: a port no Capstan service binds on these addresses. */
const CLAIM_PORT = 47_099;
/** Pod IP bases are 127.20 to 127.199: clear of the host's 127.0 and of `pnpm start`'s 127.1 and 127.2. */
const POD_BASES = { first: 20, count: 180 };
const ATTEMPTS = 200;

export async function claimHostRanges(nodes: number, fixedServiceCIDR?: string): Promise<HostRanges> {
  const claims: Server[] = [];
  const release = () => Promise.all(claims.splice(0).map((s) => new Promise<void>((done) => s.close(() => done())))).then(() => undefined);
  try {
    const podIPBases: string[] = [];
    for (let attempt = 0; podIPBases.length < nodes; attempt++) {
      if (attempt === ATTEMPTS) throw new Error(`no free pod IP range (127.X) on this host after ${ATTEMPTS} tries`);
      const x = POD_BASES.first + randomInt(POD_BASES.count);
      // An address of the range itself, far above any pod IP the agent hands out.
      const claim = await listenOn(`127.${x}.255.254`);
      if (!claim) continue;
      claims.push(claim);
      podIPBases.push(`127.${x}`);
    }
    let serviceCIDR = fixedServiceCIDR;
    for (let attempt = 0; serviceCIDR === undefined; attempt++) {
      if (attempt === ATTEMPTS) throw new Error(`no free service CIDR (a /24 of 10.96.0.0/12) on this host after ${ATTEMPTS} tries`);
      // 10.97 to 10.111: clear of `pnpm start`'s 10.96.0.0/16. 127.255.b.c stands for 10.(96+b).c.0/24:
      // outside every pod range, and local without a route.
      const [b, c] = [randomInt(1, 16), randomInt(1, 255)];
      const claim = await listenOn(`127.255.${b}.${c}`);
      if (!claim) continue;
      claims.push(claim);
      serviceCIDR = `10.${96 + b}.${c}.0/24`;
    }
    return { podIPBases, serviceCIDR, release };
  } catch (e) {
    await release();
    throw e;
  }
}

/** A listener on host:CLAIM_PORT, or undefined when someone holds it already. */
function listenOn(host: string): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", (e: NodeJS.ErrnoException) => (e.code === "EADDRINUSE" ? resolve(undefined) : reject(e)));
    server.listen({ host, port: CLAIM_PORT, exclusive: true }, () => resolve(server));
  });
}
