import { describe, expect, it } from "vitest";
import { formatTable, printerColumns, printerRow } from "../../printing/table.js";
import { endpointsPrinter } from "./printer.js";

const created = "2026-01-01T00:00:00.000Z";
const now = Date.parse(created) + 65_000;
const opts = { wide: false, withNamespace: false, now };
const meta = (name: string) => ({ name, namespace: "default", creationTimestamp: created });

describe("endpoints table", () => {
  it("prints endpoints as ip:port, at most three and how many more", () => {
    const addresses = ["127.0.1.1", "127.0.1.2", "127.0.1.3", "127.0.1.4", "127.0.1.5"].map((ip) => ({ ip }));
    const rows = [
      { metadata: meta("web"), subsets: [{ addresses, ports: [{ port: 8080 }] }] },
      { metadata: meta("headless"), subsets: [{ addresses: addresses.slice(0, 1) }] },
      { metadata: meta("empty") },
    ].map((ep) => printerRow(endpointsPrinter, ep, opts));
    expect(formatTable(printerColumns(endpointsPrinter, opts), rows)).toBe(
      [
        "NAME       ENDPOINTS                                                  AGE",
        "web        127.0.1.1:8080,127.0.1.2:8080,127.0.1.3:8080 + 2 more...   65s",
        "headless   127.0.1.1                                                  65s",
        "empty      <none>                                                     65s",
      ].join("\n"),
    );
  });
});
