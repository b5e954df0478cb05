/**
 * The outcome of a plugin at one extension point, after kube-scheduler's framework.Status: an expected
 * rejection is a value, never an exception.
 */
export type Code = "Success" | "Error" | "Unschedulable" | "UnschedulableAndUnresolvable" | "Wait" | "Skip";

export interface Status {
  readonly code: Code;
  /** Why, in the words that FailedScheduling events count ("Insufficient cpu"). */
  readonly reasons: readonly string[];
  /** The plugin that returned it, filled in by the framework. */
  readonly plugin?: string;
}

export const SUCCESS: Status = { code: "Success", reasons: [] };
export const SKIP: Status = { code: "Skip", reasons: [] };

export const unschedulable = (...reasons: string[]): Status => ({ code: "Unschedulable", reasons });
/** Rejected for a reason that preempting other pods cannot fix (a label, a taint, the node name). */
export const unresolvable = (...reasons: string[]): Status => ({ code: "UnschedulableAndUnresolvable", reasons });
export const errorStatus = (message: string): Status => ({ code: "Error", reasons: [message] });

export const isSuccess = (s: Status): boolean => s.code === "Success";
export const isRejection = (s: Status): boolean => s.code === "Unschedulable" || s.code === "UnschedulableAndUnresolvable";

export function withPlugin(s: Status, plugin: string): Status {
  return s.plugin === plugin ? s : { ...s, plugin };
}
