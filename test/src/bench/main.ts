import { cpus } from "node:os";
import { benchApi } from "./api-bench.js";
import { benchDensity } from "./density-bench.js";
import { benchDiscovery } from "./discovery-bench.js";
import { benchScheduler } from "./scheduler-bench.js";

/** A bench gets the arguments after its name (`pnpm bench density --preset ci`). */
const benches: Record<string, (log: (line: string) => void, args: readonly string[]) => Promise<Record<string, number>>> = {
  api: benchApi,
  scheduler: benchScheduler,
  density: benchDensity,
  discovery: benchDiscovery,
};

async function main(): Promise<void> {
  const name = process.argv[2] ?? "";
  const bench = benches[name];
  if (!bench) {
    console.error(`usage: pnpm bench <${Object.keys(benches).join("|")}>`);
    process.exit(2);
  }
  console.log(`bench ${name} on ${cpus().length} cores (${cpus()[0]?.model ?? "unknown cpu"})`);
  const results = await bench((line) => console.log(line), process.argv.slice(3));
  console.log(`RESULT ${Object.entries(results).map(([k, v]) => `${k}=${v}`).join(" ")}`);
  process.exit(0);
}

main().catch((e: unknown) => {
  console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
