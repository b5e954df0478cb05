import { describe, expect, it } from "vitest";
import { formatTable, printerColumns, printerRow } from "../../printing/table.js";
import { secretDescriber } from "./describe.js";
import { secretPrinter } from "./printer.js";

const created = "2026-01-01T00:00:00.000Z";
const now = Date.parse(created) + 65_000;
const opts = { wide: false, withNamespace: false, now };
const meta = (name: string) => ({ name, namespace: "default", creationTimestamp: created });
const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("secret table", () => {
  it("prints secrets as kubectl: type and how many keys", () => {
    const creds = { metadata: meta("creds"), type: "Opaque", data: { username: b64("admin"), password: b64("s3cr3t") } };
    const tls = { metadata: meta("tls"), type: "kubernetes.io/tls", data: { "tls.crt": b64("c"), "tls.key": b64("k") } };
    const rows = [creds, tls].map((s) => printerRow(secretPrinter, s, opts));
    expect(formatTable(printerColumns(secretPrinter, opts), rows)).toBe(
      ["NAME    TYPE                DATA   AGE", "creds   Opaque              2      65s", "tls     kubernetes.io/tls   2      65s"].join("\n"),
    );
  });
});

describe("describe secret", () => {
  const lookup = { get: async () => undefined, list: async () => [] };

  it("lists each key with the size of its value, never the value, and no events", async () => {
    const secret = { metadata: meta("creds"), type: "Opaque", data: { username: b64("admin"), password: b64("s3cr3t"), "api-token": b64("grüß") } };
    const lines = await secretDescriber.sections?.(secret, lookup);
    expect(lines).toEqual([
      "Name:             creds",
      "Namespace:        default",
      "Labels:           <none>",
      "Annotations:      <none>",
      "",
      "Type:  Opaque",
      "",
      "Data",
      "====",
      "api-token:  6 bytes",
      "password:   6 bytes",
      "username:   5 bytes",
    ]);
    expect(lines?.join("\n")).not.toMatch(/admin|s3cr3t|grüß|YWRtaW4=/);
    expect(secretDescriber.events).toBe(false);
  });

  it("shows an empty Data section for a secret without data", async () => {
    expect((await secretDescriber.sections?.({ metadata: meta("empty"), type: "Opaque" }, lookup))?.slice(-3)).toEqual(["", "Data", "===="]);
  });
});
