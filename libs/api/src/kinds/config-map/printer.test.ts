import { describe, expect, it } from "vitest";
import { formatTable, printerColumns, printerRow } from "../../printing/table.js";
import { configMapDescriber } from "./describe.js";
import { configMapPrinter } from "./printer.js";

const created = "2026-01-01T00:00:00.000Z";
const now = Date.parse(created) + 65_000;
const opts = { wide: false, withNamespace: false, now };
const meta = (name: string) => ({ name, namespace: "default", creationTimestamp: created });

describe("config map table", () => {
  it("prints config maps as kubectl: how many keys, data and binaryData together", () => {
    const settings = { metadata: meta("settings"), data: { mode: "fast", level: "3" }, binaryData: { logo: "iVBORw==" } };
    const empty = { metadata: meta("empty") };
    const rows = [settings, empty].map((cm) => printerRow(configMapPrinter, cm, opts));
    expect(formatTable(printerColumns(configMapPrinter, opts), rows)).toBe(["NAME       DATA   AGE", "settings   3      65s", "empty      0      65s"].join("\n"));
  });
});

describe("describe config map", () => {
  it("shows each data value in full and each binaryData value by its size, keys sorted", async () => {
    const cm = { metadata: { ...meta("settings"), labels: { app: "web" } }, data: { "game.properties": "lives=3\nlevel=2", mode: "fast" }, binaryData: { logo: "iVBORw==" } };
    expect(await configMapDescriber.sections?.(cm, { get: async () => undefined, list: async () => [] })).toEqual([
      "Name:             settings",
      "Namespace:        default",
      "Labels:           app=web",
      "Annotations:      <none>",
      "",
      "Data",
      "====",
      "game.properties:",
      "----",
      "lives=3",
      "level=2",
      "",
      "mode:",
      "----",
      "fast",
      "",
      "",
      "BinaryData",
      "====",
      "logo: 4 bytes",
      "",
    ]);
  });
});
