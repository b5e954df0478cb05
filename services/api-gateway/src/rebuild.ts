import { openEventStore } from "@capstan/eventstore";
import { loadConfig } from "./config.js";

/** Replays the whole event log into fresh projections (`pnpm --filter @capstan/api-gateway rebuild-projections`). */
async function main(): Promise<void> {
  const config = loadConfig();
  const store = await openEventStore({
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    ...(config.dataDir ? { dataDir: config.dataDir } : {}),
  });
  const started = performance.now();
  const { events, objects } = await store.rebuildProjection();
  await store.close();
  console.log(`replayed ${events} events into ${objects} objects in ${Math.round(performance.now() - started)} ms`);
}

main().catch((e: unknown) => {
  console.error(`rebuild-projections: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
