/**
 * `capctl describe secret`: its type, and each key with the size of its value — never the value, as
 * kubectl (describe.go SecretDescriber; unlike kubectl, not even a service account's token). No events.
 */
import { Secret } from "../../gen/capstan/v1/core.js";
import { DescribeWriter } from "../../printing/describe-writer.js";
import type { KindDescriber } from "../kind-printer.js";
import type { JsonObject } from "../kind-strategy.js";

function describeSecret(object: JsonObject): readonly string[] {
  const secret = Secret.fromJSON(object);
  const w = new DescribeWriter();
  w.objectMeta(object);
  w.line("");
  w.line(`Type:  ${secret.type}`);
  w.line("");
  w.line("Data");
  w.line("====");
  const keys = Object.keys(secret.data).sort();
  // kubectl's tab writer aligns the sizes two spaces past the longest key.
  const width = Math.max(0, ...keys.map((k) => k.length + 1)) + 2;
  for (const key of keys) w.line(`${`${key}:`.padEnd(width)}${secret.data[key]?.length ?? 0} bytes`);
  return w.lines;
}

export const secretDescriber: KindDescriber = { sections: describeSecret, events: false };
