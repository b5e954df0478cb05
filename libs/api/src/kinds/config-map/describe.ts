/** `capctl describe configmap`: each data value in full, each binaryData value by its size (describe.go ConfigMapDescriber). */
import { ConfigMap } from "../../gen/capstan/v1/core.js";
import { DescribeWriter } from "../../printing/describe-writer.js";
import type { KindDescriber } from "../kind-printer.js";
import type { JsonObject } from "../kind-strategy.js";

function describeConfigMap(object: JsonObject): readonly string[] {
  const cm = ConfigMap.fromJSON(object);
  const w = new DescribeWriter();
  w.objectMeta(object);
  w.line("");
  w.line("Data");
  w.line("====");
  for (const key of Object.keys(cm.data).sort()) {
    w.line(`${key}:`);
    w.line("----");
    w.block(0, cm.data[key] ?? "");
    w.line("");
  }
  w.line("");
  w.line("BinaryData");
  w.line("====");
  for (const key of Object.keys(cm.binaryData).sort()) w.line(`${key}: ${cm.binaryData[key]?.length ?? 0} bytes`);
  w.line("");
  return w.lines;
}

export const configMapDescriber: KindDescriber = { sections: describeConfigMap };
