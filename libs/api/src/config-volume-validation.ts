/**
 * Validation of the volumes that project API data into files — configMap, secret, downwardAPI and
 * projected — with Kubernetes' rules and wording (pkg/apis/core/validation validateConfigMapVolumeSource,
 * validateSecretVolumeSource, validateDownwardAPIVolumeSource, validateProjectedVolumeSource).
 */
import { field, validateDNS1123Subdomain, type FieldError } from "@capstan/apimachinery";
import { volumeFieldPaths } from "./downward-api.js";
import { validateObjectFieldSelector, validateResourceFieldSelector } from "./env-validation.js";
import { hasDotDot, isAbsolutePath, messages } from "./field-validation.js";
import type { DownwardAPIVolumeFile, KeyToPath, Volume } from "./gen/capstan/v1/core.js";
import { validateConfigMapKey } from "./kinds/config-map/config-map-key.js";

const { required, invalid, forbidden } = field;

const fileModeRule = "must be a number between 0 and 0777 (octal), both inclusive";

/** The errors of a volume's configMap, secret, downwardAPI or projected source, at `path` (the volume's). */
export function validateConfigVolume(v: Volume, path: string, containerNames: ReadonlySet<string>): FieldError[] {
  const errs: FieldError[] = [];
  if (v.configMap) {
    const p = `${path}.configMap`;
    errs.push(...validateObjectName(v.configMap.name, `${p}.name`), ...validateFileMode(v.configMap.defaultMode, `${p}.defaultMode`), ...validateItems(v.configMap.items, `${p}.items`));
  }
  if (v.secret) {
    const p = `${path}.secret`;
    errs.push(...validateObjectName(v.secret.secretName, `${p}.secretName`), ...validateFileMode(v.secret.defaultMode, `${p}.defaultMode`), ...validateItems(v.secret.items, `${p}.items`));
  }
  if (v.downwardApi) {
    const p = `${path}.downwardAPI`;
    errs.push(...validateFileMode(v.downwardApi.defaultMode, `${p}.defaultMode`), ...validateDownwardAPIFiles(v.downwardApi.items, `${p}.items`, containerNames));
  }
  if (v.projected) {
    const p = `${path}.projected`;
    errs.push(...validateFileMode(v.projected.defaultMode, `${p}.defaultMode`));
    v.projected.sources.forEach((s, i) => {
      const sp = `${p}.sources[${i}]`;
      const kinds = [s.secret && "secret", s.configMap && "configMap", s.downwardApi && "downwardAPI"].filter((k): k is string => typeof k === "string");
      if (kinds.length === 0) errs.push(required(sp, "must specify exactly 1 projection type"));
      for (const extra of kinds.slice(1)) errs.push(forbidden(`${sp}.${extra}`, "may not specify more than 1 projection type"));
      for (const [kind, ref] of [["secret", s.secret], ["configMap", s.configMap]] as const) {
        if (ref) errs.push(...validateObjectName(ref.name, `${sp}.${kind}.name`), ...validateItems(ref.items, `${sp}.${kind}.items`));
      }
      if (s.downwardApi) errs.push(...validateDownwardAPIFiles(s.downwardApi.items, `${sp}.downwardAPI.items`, containerNames));
    });
  }
  return errs;
}

function validateObjectName(name: string, path: string): FieldError[] {
  return name === "" ? [required(path)] : messages(path, name, validateDNS1123Subdomain(name));
}

function validateFileMode(mode: number | undefined, path: string): FieldError[] {
  return mode !== undefined && (mode < 0 || mode > 0o777) ? [invalid(path, mode, fileModeRule)] : [];
}

/** validateLocalDescendingPath: relative, no `..` element, and not starting with `..`. */
function validateFilePath(p: string, path: string): FieldError[] {
  if (p === "") return [required(path)];
  if (isAbsolutePath(p)) return [invalid(path, p, "must be a relative path")];
  if (hasDotDot(p)) return [invalid(path, p, "must not contain '..'")];
  if (p.startsWith("..")) return [invalid(path, p, "must not start with '..'")];
  return [];
}

function validateItems(items: readonly KeyToPath[], path: string): FieldError[] {
  return items.flatMap((item, i) => {
    const p = `${path}[${i}]`;
    const keyErrs = item.key === "" ? [required(`${p}.key`)] : messages(`${p}.key`, item.key, validateConfigMapKey(item.key));
    return [...keyErrs, ...validateFilePath(item.path, `${p}.path`), ...validateFileMode(item.mode, `${p}.mode`)];
  });
}

function validateDownwardAPIFiles(files: readonly DownwardAPIVolumeFile[], path: string, containerNames: ReadonlySet<string>): FieldError[] {
  return files.flatMap((f, i) => {
    const p = `${path}[${i}]`;
    const errs = [...validateFilePath(f.path, `${p}.path`), ...validateFileMode(f.mode, `${p}.mode`)];
    if (f.fieldRef && f.resourceFieldRef) errs.push(invalid(p, "resource", "fieldRef and resourceFieldRef can not be specified simultaneously"));
    else if (f.fieldRef) errs.push(...validateObjectFieldSelector(f.fieldRef, volumeFieldPaths, `${p}.fieldRef`));
    else if (f.resourceFieldRef) errs.push(...validateResourceFieldSelector(f.resourceFieldRef, containerNames, true, `${p}.resourceFieldRef`));
    else errs.push(required(p, "one of fieldRef and resourceFieldRef is required"));
    return errs;
  });
}
