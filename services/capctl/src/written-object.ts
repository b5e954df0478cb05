import { metaOf } from "@capstan/api";
import { stringify } from "yaml";
import { withoutManagedFields, type Json } from "./printers.js";

const OUTPUTS = ["json", "name", "yaml"];

/** The -o a command that writes one object takes (create, expose): kubectl refuses any other up front. */
export function checkWrittenOutput(output: string | undefined): void {
  if (output !== undefined && !OUTPUTS.includes(output)) {
    throw new Error(`unable to match a printer suitable for the output format "${output}", allowed formats are: ${OUTPUTS.join(",")}`);
  }
}

/** kubectl's printer for a written object: `configmap/NAME created`, or the object with -o yaml|json|name. */
export function printWritten(resource: string, object: Json, output: string | undefined, verb: string): void {
  checkWrittenOutput(output);
  const name = metaOf(object).name;
  if (output === "yaml") process.stdout.write(stringify(withoutManagedFields(object)));
  else if (output === "json") console.log(JSON.stringify(withoutManagedFields(object), null, 2));
  else console.log(output === "name" ? `${resource}/${name}` : `${resource}/${name} ${verb}`);
}
