import { describe, expect, it } from "vitest";
import { formatTable, printerColumns, printerRow } from "../../printing/table.js";
import { endpointSlicePrinter } from "./printer.js";

const created = "2026-01-01T00:00:00.000Z";
const now = Date.parse(created) + 65_000;
const opts = { wide: false, withNamespace: false, now };
const meta = (name: string) => ({ name, namespace: "default", creationTimestamp: created });

describe("endpoint slice table", () => {
  it("prints endpoint slices with their address type, ports and addresses", () => {
    const slice = {
      metadata: meta("web-abc12"),
      addressType: "IPv4",
      ports: [{ name: "http", port: 8080, protocol: "TCP" }],
      endpoints: [{ addresses: ["127.0.1.5"] }, { addresses: ["127.0.1.6"] }],
    };
    const empty = { metadata: meta("web-empty"), addressType: "IPv4" };
    expect(formatTable(printerColumns(endpointSlicePrinter, opts), [printerRow(endpointSlicePrinter, slice, opts), printerRow(endpointSlicePrinter, empty, opts)])).toBe(
      [
        "NAME        ADDRESSTYPE   PORTS     ENDPOINTS             AGE",
        "web-abc12   IPv4          8080      127.0.1.5,127.0.1.6   65s",
        "web-empty   IPv4          <unset>   <unset>               65s",
      ].join("\n"),
    );
  });
});
