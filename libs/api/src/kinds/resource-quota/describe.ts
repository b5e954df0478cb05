/** `capctl describe resourcequota`: each resource's used and hard (describe.go describeQuota). */
import { DescribeWriter } from "../../printing/describe-writer.js";
import { formatTable } from "../../printing/table.js";
import { metaOf, type JsonObject } from "../../object-view.js";
import type { KindDescriber } from "../kind-printer.js";
import { quotaLines } from "./printer.js";

function describeResourceQuota(quota: JsonObject): readonly string[] {
  const w = new DescribeWriter();
  w.field(0, "Name", metaOf(quota).name);
  w.field(0, "Namespace", metaOf(quota).namespace);
  w.block(0, formatTable(["Resource", "Used", "Hard"], [["--------", "----", "----"], ...quotaLines(quota).map((l) => [l.resource, l.used, l.hard])]));
  return w.lines;
}

export const resourceQuotaDescriber: KindDescriber = { sections: describeResourceQuota, events: false };
