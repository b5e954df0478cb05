/**
 * Defaulting, as Kubernetes does it on create (pkg/apis/core/v1/defaults.go): fields a user may leave
 * out get the value a Kubernetes user expects. Pure: returns a new object and never overwrites a value
 * the user set. uid, timestamps and the namespace are the gateway's to set, not defaults. Each kind's
 * defaults are its strategy's (kinds/<kind>/strategy.ts).
 */
import { kindInfo, toKubernetesJSON, type KindInfo } from "./kinds.js";

export { defaultPullPolicy } from "./kinds/pod/defaults.js";

import type { DefaultingOptions } from "./kinds/kind-strategy.js";

export type { DefaultingOptions } from "./kinds/kind-strategy.js";

/** Kubernetes JSON with every default filled in; throws InvalidError for an unsupported kind. */
export function applyDefaults(kind: string, json: unknown, opts: DefaultingOptions = {}): Record<string, unknown> {
  const strategy: KindInfo = kindInfo(kind);
  const message = strategy.messageFns.fromJSON(json);
  return toKubernetesJSON(strategy.kind, strategy.defaults?.(message, opts) ?? message);
}
