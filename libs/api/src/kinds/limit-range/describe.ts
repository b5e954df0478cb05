/** `capctl describe limitrange`: a row for each resource of each item (describe.go describeLimitRange). */
import { LimitRange } from "../../gen/capstan/v1/core.js";
import { DescribeWriter } from "../../printing/describe-writer.js";
import { formatTable } from "../../printing/table.js";
import { metaOf, type JsonObject } from "../../object-view.js";
import type { KindDescriber } from "../kind-printer.js";

const HEADERS = ["Type", "Resource", "Min", "Max", "Default Request", "Default Limit", "Max Limit/Request Ratio"];

function describeLimitRange(object: JsonObject): readonly string[] {
  const lr = LimitRange.fromJSON(object);
  const rows = (lr.spec?.limits ?? []).flatMap((item) => {
    const lists = [item.min, item.max, item.defaultRequest, item.default, item.maxLimitRequestRatio];
    const resources = [...new Set(lists.flatMap((l) => Object.keys(l)))].sort();
    return resources.map((r) => [item.type, r, ...lists.map((l) => l[r] ?? "-")]);
  });
  const w = new DescribeWriter();
  w.field(0, "Name", metaOf(object).name);
  w.field(0, "Namespace", metaOf(object).namespace);
  w.block(0, formatTable(HEADERS, [HEADERS.map((h) => "-".repeat(h.length)), ...rows]));
  return w.lines;
}

export const limitRangeDescriber: KindDescriber = { sections: describeLimitRange, events: false };
