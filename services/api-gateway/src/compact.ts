import { JetStreamBus } from "@capstan/bus";
import { openEventStore } from "@capstan/eventstore";
import { loadConfig } from "./config.js";
import { compactionTarget } from "./log-compaction.js";

/**
 * Compacts the event log (`pnpm --filter @capstan/api-gateway compact-log [REVISION]`): drops the events
 * only revisions before the target need; get/list at those revisions answer Expired from then on.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const arg = process.argv[2];
  const requested = arg === undefined ? undefined : Number(arg);
  if (requested !== undefined && (!Number.isSafeInteger(requested) || requested < 0)) throw new Error(`REVISION: Invalid value "${arg}": must be a revision, 0 or more`);
  const bus = await JetStreamBus.connect({ url: config.natsUrl, prefix: config.prefix, name: "compact-log" });
  const store = await openEventStore({
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    ...(config.dataDir ? { dataDir: config.dataDir } : {}),
  });
  try {
    const [head, compacted, { last: relayed }] = await Promise.all([store.headRevision(), store.compactedRevision(), bus.bounds()]);
    const target = compactionTarget({ requested, retainRevisions: config.logRetainRevisions, head, relayed, compacted });
    if (target === undefined) {
      console.log(`the log is compacted to revision ${compacted} already`);
      return;
    }
    const { dropped } = await store.compact(target);
    console.log(`compacted the log to revision ${target}: dropped ${dropped} events`);
  } finally {
    await store.close();
    await bus.close();
  }
}

main().catch((e: unknown) => {
  console.error(`compact-log: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
