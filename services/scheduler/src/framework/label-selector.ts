import { nothingSelector, selectorFromLabelSelector, type LabelSelector, type Selector } from "@capstan/apimachinery";

/**
 * A pod's own label selector (topology spread, pod affinity) as a Selector. The API server validated
 * it; one that does not parse selects nothing rather than failing the attempt.
 */
export function selectorOf(selector: LabelSelector | undefined): Selector {
  try {
    return selectorFromLabelSelector(selector);
  } catch {
    return nothingSelector();
  }
}
