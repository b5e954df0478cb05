/**
 * Validation of a container's env and envFrom and of the downward API selectors a volume shares with
 * them, with Kubernetes' rules and wording (pkg/apis/core/validation validateEnv, validateEnvFrom,
 * validateObjectFieldSelector, validateContainerResourceFieldSelector).
 */
import {
  field,
  tryParseQuantity,
  validateDNS1123Subdomain,
  validateEnvVarName,
  validateQualifiedName,
  type FieldError,
} from "@capstan/apimachinery";
import {
  containerResourceFieldPaths,
  cpuDivisors,
  envFieldPaths,
  memoryDivisors,
  splitFieldPath,
  subscriptedFieldPaths,
} from "./downward-api.js";
import type { EnvFromSource, EnvVar, ObjectFieldSelector, ResourceFieldSelector } from "./gen/capstan/v1/core.js";
import { messages } from "./field-validation.js";
import { validateConfigMapKey } from "./kinds/config-map/config-map-key.js";

const { required, invalid, notSupported } = field;

/** validateEnv: each variable's name, and at most one of value and valueFrom, whose one source is valid. */
export function validateEnv(env: readonly EnvVar[], path: string, containerNames: ReadonlySet<string>): FieldError[] {
  const errs: FieldError[] = [];
  env.forEach((e, i) => {
    const p = `${path}[${i}]`;
    if (e.name === "") errs.push(required(`${p}.name`));
    else errs.push(...messages(`${p}.name`, e.name, validateEnvVarName(e.name)));
    if (e.valueFrom) errs.push(...validateEnvVarValueFrom(e, `${p}.valueFrom`, containerNames));
  });
  return errs;
}

function validateEnvVarValueFrom(e: EnvVar, path: string, containerNames: ReadonlySet<string>): FieldError[] {
  const from = e.valueFrom!;
  const errs: FieldError[] = [];
  const sources = [from.fieldRef, from.resourceFieldRef, from.configMapKeyRef, from.secretKeyRef].filter((s) => s !== undefined).length;
  if (from.fieldRef) errs.push(...validateObjectFieldSelector(from.fieldRef, envFieldPaths, `${path}.fieldRef`));
  if (from.resourceFieldRef) errs.push(...validateResourceFieldSelector(from.resourceFieldRef, containerNames, false, `${path}.resourceFieldRef`));
  for (const [name, ref] of [["configMapKeyRef", from.configMapKeyRef], ["secretKeyRef", from.secretKeyRef]] as const) {
    if (!ref) continue;
    const p = `${path}.${name}`;
    if (ref.name === "") errs.push(required(`${p}.name`));
    else errs.push(...messages(`${p}.name`, ref.name, validateDNS1123Subdomain(ref.name)));
    if (ref.key === "") errs.push(required(`${p}.key`));
    else errs.push(...messages(`${p}.key`, ref.key, validateConfigMapKey(ref.key)));
  }
  if (sources === 0) errs.push(invalid(path, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"));
  else if (e.value !== "") errs.push(invalid(path, "", "may not be specified when `value` is not empty"));
  else if (sources > 1) errs.push(invalid(path, "", "may not have more than one field specified at a time"));
  return errs;
}

/** validateEnvFrom: a valid prefix and exactly one named source. */
export function validateEnvFrom(envFrom: readonly EnvFromSource[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  envFrom.forEach((e, i) => {
    const p = `${path}[${i}]`;
    if (e.prefix !== "") errs.push(...messages(`${p}.prefix`, e.prefix, validateEnvVarName(e.prefix)));
    const refs = [["configMapRef", e.configMapRef], ["secretRef", e.secretRef]] as const;
    for (const [name, ref] of refs) {
      if (!ref) continue;
      if (ref.name === "") errs.push(required(`${p}.${name}.name`));
      else errs.push(...messages(`${p}.${name}.name`, ref.name, validateDNS1123Subdomain(ref.name)));
    }
    const sources = refs.filter(([, ref]) => ref !== undefined).length;
    if (sources === 0) errs.push(invalid(p, "", "must specify one of: `configMapRef` or `secretRef`"));
    else if (sources > 1) errs.push(invalid(p, "", "may not have more than one field specified at a time"));
  });
  return errs;
}

/** validateObjectFieldSelector: apiVersion v1, a supported fieldPath, and a valid key in a subscript. */
export function validateObjectFieldSelector(sel: ObjectFieldSelector, supported: readonly string[], path: string): FieldError[] {
  if (sel.apiVersion === "") return [required(`${path}.apiVersion`)];
  if (sel.fieldPath === "") return [required(`${path}.fieldPath`)];
  if (sel.apiVersion !== "v1") return [notSupported(`${path}.apiVersion`, sel.apiVersion, ["v1"])];
  const { path: fieldPath, subscript } = splitFieldPath(sel.fieldPath);
  const subscripted = (subscriptedFieldPaths as readonly string[]).includes(fieldPath);
  if (subscript === undefined) {
    return supported.includes(sel.fieldPath) ? [] : [notSupported(`${path}.fieldPath`, sel.fieldPath, [...supported, ...envSubscriptHint(supported)])];
  }
  if (!subscripted) return [invalid(`${path}.fieldPath`, sel.fieldPath, "does not support subscript")];
  const key = fieldPath === "metadata.annotations" ? subscript.toLowerCase() : subscript;
  return messages(`${path}.fieldPath`, sel.fieldPath, validateQualifiedName(key));
}

/** Env variables take labels and annotations by subscript only: the supported values say so. */
function envSubscriptHint(supported: readonly string[]): string[] {
  return supported.includes("metadata.labels") ? [] : ["metadata.labels['<KEY>']", "metadata.annotations['<KEY>']"];
}

/**
 * validateContainerResourceFieldSelector: a supported resource, a divisor its resource allows, and a
 * containerName among the pod's (required in a volume, where there is no container to default to).
 */
export function validateResourceFieldSelector(
  sel: ResourceFieldSelector,
  containerNames: ReadonlySet<string>,
  requireContainerName: boolean,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  if (sel.containerName === "") {
    if (requireContainerName) errs.push(required(`${path}.containerName`));
  } else if (!containerNames.has(sel.containerName)) {
    errs.push(notSupported(`${path}.containerName`, sel.containerName, [...containerNames]));
  }
  if (sel.resource === "") {
    errs.push(required(`${path}.resource`));
    return errs;
  }
  if (!(containerResourceFieldPaths as readonly string[]).includes(sel.resource)) {
    errs.push(notSupported(`${path}.resource`, sel.resource, containerResourceFieldPaths));
    return errs;
  }
  const divisor = sel.divisor;
  if (divisor === undefined) return errs;
  const parsed = tryParseQuantity(divisor);
  const isCPU = sel.resource.endsWith(".cpu");
  const allowed = isCPU ? cpuDivisors : memoryDivisors;
  if (!parsed || !allowed.some((d) => tryParseQuantity(d)!.cmp(parsed) === 0)) {
    const rule = isCPU ? "only divisor's values 1m and 1 are supported with the cpu resource" : "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the memory resource";
    errs.push(invalid(`${path}.divisor`, divisor, rule));
  }
  return errs;
}
