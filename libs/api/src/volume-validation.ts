/**
 * What PersistentVolume and PersistentVolumeClaim share: access modes, phases, the storage resource, and
 * the rules of their common fields (pkg/apis/core/validation). Each kind's own defaults and rules are in
 * kinds/persistent-volume and kinds/persistent-volume-claim.
 */
import { field, parseQuantity, validateDNS1123Subdomain, validateQuantity, type FieldError } from "@capstan/apimachinery";

const { invalid, notSupported, forbidden } = field;

export const READ_WRITE_ONCE = "ReadWriteOnce";
export const READ_ONLY_MANY = "ReadOnlyMany";
export const READ_WRITE_MANY = "ReadWriteMany";
export const READ_WRITE_ONCE_POD = "ReadWriteOncePod";
const accessModes = [READ_ONLY_MANY, READ_WRITE_MANY, READ_WRITE_ONCE, READ_WRITE_ONCE_POD];

export const RECLAIM_RETAIN = "Retain";

export const VOLUME_MODE_FILESYSTEM = "Filesystem";
const volumeModes = ["Block", VOLUME_MODE_FILESYSTEM];

/** PersistentVolume phases. */
export const VOLUME_PENDING = "Pending";
export const VOLUME_AVAILABLE = "Available";
export const VOLUME_BOUND = "Bound";
export const VOLUME_RELEASED = "Released";
/** PersistentVolumeClaim phases. */
export const CLAIM_PENDING = "Pending";
export const CLAIM_BOUND = "Bound";

export const RESOURCE_STORAGE = "storage";

export function validateAccessModes(modes: readonly string[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const mode of modes) if (!accessModes.includes(mode)) errs.push(notSupported(path, mode, accessModes));
  if (modes.includes(READ_WRITE_ONCE_POD) && modes.length > 1) errs.push(forbidden(path, "may not use ReadWriteOncePod with other access modes"));
  return errs;
}

export function validateStorageQuantity(q: string, path: string): FieldError[] {
  const syntax = validateQuantity(q);
  if (syntax.length > 0) return syntax.map((m) => invalid(path, q, m));
  return parseQuantity(q).sign() < 0 ? [invalid(path, q, "must be greater than or equal to 0")] : [];
}

export function validateClassName(name: string | undefined, path: string): FieldError[] {
  return name ? validateDNS1123Subdomain(name).map((m) => invalid(path, name, m)) : [];
}

export function validateVolumeMode(mode: string | undefined, path: string): FieldError[] {
  return mode !== undefined && !volumeModes.includes(mode) ? [notSupported(path, mode, volumeModes)] : [];
}
