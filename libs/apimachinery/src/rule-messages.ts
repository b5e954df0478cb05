/**
 * The wording of Kubernetes' validation rules (k8s.io/apimachinery/pkg/util/validation), so a message
 * reads the same as the one a Kubernetes user already knows.
 */

export function emptyError(): string {
  return "must be non-empty";
}

export function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

export function inclusiveRangeError(lo: number, hi: number): string {
  return `must be between ${lo} and ${hi}, inclusive`;
}

/** `msg (e.g. 'a',  or 'b', regex used for validation is 'fmt')`, spacing quirk included, as Kubernetes prints it. */
export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  const shown = examples.map((e) => `'${e}', `).join(" or ");
  return `${msg} (e.g. ${shown}regex used for validation is '${fmt}')`;
}
