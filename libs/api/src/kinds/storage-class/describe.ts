/** `capctl describe storageclass`: kubectl's describeStorageClass (describe.go StorageClassDescriber). */
import { StorageClass } from "../../gen/capstan/v1/storage.js";
import { NONE } from "../../printing/cells.js";
import { DescribeWriter } from "../../printing/describe-writer.js";
import type { KindDescriber } from "../kind-printer.js";
import type { JsonObject } from "../kind-strategy.js";
import { isDefaultStorageClass } from "./storage-classes.js";

export function describeStorageClass(object: JsonObject): readonly string[] {
  const sc = StorageClass.fromJSON(object);
  const meta = sc.metadata;
  const w = new DescribeWriter();
  w.field(0, "Name", meta?.name);
  w.field(0, "IsDefaultClass", isDefaultStorageClass(object) ? "Yes" : "No");
  // kubectl formats a class's annotations as labels (FormatLabels), unlike other kinds.
  w.map(0, "Annotations", meta?.annotations);
  w.field(0, "Provisioner", sc.provisioner);
  w.map(0, "Parameters", sc.parameters);
  w.field(0, "AllowVolumeExpansion", sc.allowVolumeExpansion === undefined ? "<unset>" : sc.allowVolumeExpansion ? "True" : "False");
  if (sc.mountOptions.length === 0) w.field(0, "MountOptions", NONE);
  else {
    w.line("MountOptions:");
    for (const option of sc.mountOptions) w.line(`  ${option}`);
  }
  if (sc.reclaimPolicy !== undefined) w.field(0, "ReclaimPolicy", sc.reclaimPolicy);
  if (sc.volumeBindingMode !== undefined) w.field(0, "VolumeBindingMode", sc.volumeBindingMode);
  if (sc.allowedTopologies.length > 0) {
    w.line("AllowedTopologies:");
    sc.allowedTopologies.forEach((term, i) => {
      term.matchLabelExpressions.forEach((r, j) => {
        const requirement = `${r.key} in [${r.values.join(", ")}]`;
        w.line(j === 0 ? `  Term ${i}:  ${requirement}` : `  ${" ".repeat(`Term ${i}:`.length)}  ${requirement}`);
      });
    });
  }
  return w.lines;
}

export const storageClassDescriber: KindDescriber = { sections: describeStorageClass };
