import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { prometheusConfig } from "./prometheus.js";

const dir = mkdtempSync(join(tmpdir(), "capstan-prometheus-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("prometheusConfig", () => {
  const targets = new Map([
    ["api-gateway", "127.0.0.1:20001"],
    ["deployment-controller", "127.0.0.1:20002"],
  ]);

  it("scrapes each service at its address under job=<service name>, at the interval asked", () => {
    const config = JSON.parse(prometheusConfig(targets, 1).replace(/^#.*\n/, "")) as {
      global: { scrape_interval: string };
      scrape_configs: { static_configs: { targets: string[]; labels: { job: string } }[] }[];
    };
    expect(config.global.scrape_interval).toBe("1s");
    expect(config.scrape_configs.flatMap((c) => c.static_configs)).toEqual([
      { targets: ["127.0.0.1:20001"], labels: { job: "api-gateway" } },
      { targets: ["127.0.0.1:20002"], labels: { job: "deployment-controller" } },
    ]);
  });

  it("is a configuration Debian's promtool accepts", async () => {
    const file = join(dir, "prometheus.yml");
    writeFileSync(file, prometheusConfig(targets, 5));
    const checked = await promisify(execFile)("promtool", ["check", "config", file]).catch((e: NodeJS.ErrnoException & { stderr?: string }) => {
      throw new Error(e.code === "ENOENT" ? "promtool is not installed: apt-get install -y prometheus" : `promtool: ${e.stderr ?? String(e)}`);
    });
    expect(checked.stdout).toContain("SUCCESS");
  });
});
