/**
 * Rules of one value that several kinds' validation shares (a count, an IP, a port, a quantity, a path),
 * with Kubernetes' wording. Each returns its errors at the path it is given.
 */
import {
  field,
  parseQuantity,
  validateDNS1123Label,
  validatePortName,
  validatePortNumber,
  validateQuantity,
  type FieldError,
} from "@capstan/apimachinery";
import { isIP } from "node:net";
import { isIntOrStringInt } from "./int-or-string.js";

const { required, invalid, notSupported, duplicate } = field;

export const protocols = ["TCP", "UDP", "SCTP"];
export const taintEffects = ["NoSchedule", "PreferNoSchedule", "NoExecute"];
const integerResources = new Set(["pods"]);

/** One error at `path` for each message a name or value rule gave. */
export function messages(path: string, value: unknown, msgs: readonly string[]): FieldError[] {
  return msgs.map((m) => invalid(path, value, m));
}

export function nonNegative(path: string, value: number | undefined): FieldError[] {
  return value !== undefined && value < 0 ? [invalid(path, value, "must be greater than or equal to 0")] : [];
}

export function isAbsolutePath(p: string): boolean {
  return p.startsWith("/");
}

export function hasDotDot(p: string): boolean {
  return p.split("/").includes("..");
}

export function validateIP(path: string, value: string): FieldError[] {
  return isIP(value) === 0 ? [invalid(path, value, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")] : [];
}

/** An IntOrString port: a number in 1..65535 or the name of a container port. */
export function validatePortNumOrName(port: string, path: string): FieldError[] {
  if (port === "") return [required(path)];
  if (isIntOrStringInt(port)) return messages(path, Number(port), validatePortNumber(Number(port)));
  return messages(path, port, validatePortName(port));
}

/** A resource quantity: valid syntax, not negative, whole for resources counted in units (pods). */
export function validateResourceQuantity(path: string, name: string, q: string): FieldError[] {
  const syntax = validateQuantity(q);
  if (syntax.length > 0) return messages(path, q, syntax);
  const quantity = parseQuantity(q);
  if (quantity.sign() < 0) return [invalid(path, q, "must be greater than or equal to 0")];
  if (integerResources.has(name) && quantity.milliValue() % 1000 !== 0) return [invalid(path, q, "must be an integer")];
  return [];
}

/** A port of an Endpoints subset or an EndpointSlice: a DNS label name (required when there are several), a number, a protocol. */
export function validateEndpointPorts(
  ports: readonly { name?: string | undefined; port?: number | undefined; protocol?: string | undefined }[],
  path: string,
  nameRequired: boolean,
): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = `${path}[${i}]`;
    const name = port.name ?? "";
    if (name === "") {
      if (nameRequired && ports.length > 1) errs.push(required(`${p}.name`));
    } else if (names.has(name)) {
      errs.push(duplicate(`${p}.name`, name));
    } else {
      errs.push(...messages(`${p}.name`, name, validateDNS1123Label(name)));
    }
    names.add(name);
    if (port.port !== undefined && (nameRequired || port.port !== 0)) errs.push(...messages(`${p}.port`, port.port, validatePortNumber(port.port)));
    const protocol = port.protocol ?? "";
    if (!protocols.includes(protocol)) errs.push(notSupported(`${p}.protocol`, protocol, protocols));
  });
  return errs;
}
