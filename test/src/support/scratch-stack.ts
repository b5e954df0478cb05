import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { JetStreamBus, nodeLeaseBucketName } from "@capstan/bus";
import { leaseBucketName } from "@capstan/controller-runtime";
import { createTestDatabase } from "@capstan/eventstore/testing";
import { startStack, type Stack, type StackOptions } from "@capstan/local-stack";

export const natsUrl = process.env["NATS_URL"] ?? "nats://127.0.0.1:4222";

/** Deletes what a stack with this prefix leaves in NATS: its event stream and both lease buckets. */
export async function removeStreams(prefix: string): Promise<void> {
  const bus = await JetStreamBus.connect({ url: natsUrl, prefix, owner: true }).catch(() => undefined);
  if (!bus) return;
  await bus.deleteStream().catch(() => undefined);
  const jsm = await jetstreamManager(bus.nc);
  await jsm.streams.delete(`KV_${leaseBucketName(prefix)}`).catch(() => undefined);
  await jsm.streams.delete(`KV_${nodeLeaseBucketName(prefix)}`).catch(() => undefined);
  await bus.close();
}

export interface ScratchStack {
  readonly stack: Stack;
  readonly prefix: string;
  readonly dataDir: string;
  readonly databaseUrl: string;
  /** Stops the processes, then removes the database, the NATS streams and (unless kept) the data folder. */
  stop(opts?: { keepDataDir?: boolean }): Promise<void>;
}

/**
 * A stack of real processes for a benchmark: its own Postgres database, stream prefix and data folder,
 * no node agents and nothing restarted unless the options say otherwise.
 */
export async function startScratchStack(
  name: string,
  opts: Partial<Omit<StackOptions, "dataDir" | "natsUrl" | "databaseUrl" | "prefix">> & Pick<StackOptions, "output">,
): Promise<ScratchStack> {
  const database = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), `capstan-${name}-`));
  const prefix = `${name}${randomBytes(4).toString("hex")}`;
  const cleanUp = async (keepDataDir = false) => {
    await removeStreams(prefix);
    await database.drop();
    if (!keepDataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  let stack: Stack;
  try {
    stack = await startStack({ gatewayPort: 0, nodes: [], restart: false, ...opts, dataDir, natsUrl, databaseUrl: database.url, prefix });
  } catch (e) {
    await cleanUp();
    throw e;
  }
  return {
    stack,
    prefix,
    dataDir,
    databaseUrl: database.url,
    async stop({ keepDataDir = false } = {}) {
      await stack.stop();
      await cleanUp(keepDataDir);
    },
  };
}
