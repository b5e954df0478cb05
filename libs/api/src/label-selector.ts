/**
 * The object-form label selector of ReplicaSets and Deployments (`spec.selector`), as controllers use
 * it: match an object's labels, or turn it into the string syntax a List or Watch request takes. The
 * rules are apimachinery's (selectorFromLabelSelector): an absent selector selects nothing, an empty one
 * everything.
 */
import { selectorFromLabelSelector, type Labels, type Selector } from "@capstan/apimachinery";
import type { LabelSelector } from "./gen/capstan/v1/meta.js";

/**
 * The selector as a Selector, to match many label sets with one parse. Throws InvalidError for a
 * selector validation rejects (stored objects never hold one).
 */
export function labelSelectorAsSelector(selector: LabelSelector | undefined): Selector {
  return selectorFromLabelSelector(selector, "selector");
}

/** Whether `labels` are selected; an absent selector selects nothing, an empty one everything. */
export function labelSelectorMatches(selector: LabelSelector | undefined, labels: Labels | undefined): boolean {
  return labelSelectorAsSelector(selector).matches(labels);
}

/**
 * The string syntax for a List or Watch `labelSelector` (`app=web,tier in (back,front)`), which selects
 * the same objects; "" for the empty selector, which selects everything.
 */
export function labelSelectorToString(selector: LabelSelector): string {
  return labelSelectorAsSelector(selector).toString();
}
