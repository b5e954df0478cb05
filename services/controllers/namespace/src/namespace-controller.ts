import { fromApiObject, specOf, supportedKinds, toApiObject } from "@capstan/api";
import { isCapstanError } from "@capstan/apimachinery";
import type { CapstanClient, JsonObject } from "@capstan/client";
import { metadataOf, type Informer, type ReconcileResult, type Reconciler } from "@capstan/controller-runtime";
import { planNamespaceCleanup, type NamespacedObject } from "./namespace-cleanup.js";

/** What the controller asks of the gateway. */
export type NamespaceClient = Pick<CapstanClient, "list" | "delete" | "finalize">;

/**
 * How soon a namespace still emptying is looked at again. Pods in it stop within their grace period,
 * usually much sooner, so it polls rather than waiting the whole period out.
 */
export const RECHECK_MS = 1_000;

/**
 * Empties a terminating namespace: deletes every object of every namespaced kind in it, waits until
 * the gateway lists none (pods go through graceful deletion), then finalizes the namespace, which the
 * gateway then deletes. Reads the contents from the gateway, not a cache: it finalizes only what it
 * has seen empty there.
 */
export class NamespaceReconciler implements Reconciler {
  private readonly kinds: readonly string[];

  constructor(
    private readonly namespaces: Informer,
    private readonly client: NamespaceClient,
    private readonly log: (message: string) => void,
    kinds?: readonly string[],
  ) {
    this.kinds = kinds ?? supportedKinds().filter((k) => k.namespaced).map((k) => k.kind);
  }

  async reconcile(name: string): Promise<ReconcileResult | void> {
    const namespace = this.namespaces.get("", name);
    if (!namespace || planNamespaceCleanup(namespace, []).type === "none") return;
    const plan = planNamespaceCleanup(namespace, await this.contentsOf(name));
    switch (plan.type) {
      case "deleteContent":
        await Promise.all(plan.delete.map((c) => this.delete(c)));
        return { requeueAfterMs: RECHECK_MS };
      case "finalize":
        await this.client.finalize(toApiObject({ ...namespace, spec: { ...specOf(namespace), finalizers: plan.finalizers } }));
        this.log(`namespace ${name} is empty; finalized`);
        return;
      default:
        return;
    }
  }

  private async contentsOf(namespace: string): Promise<NamespacedObject[]> {
    const lists = await Promise.all(
      this.kinds.map(async (kind) => (await this.client.list({ kind, namespace })).items.map((o) => ({ kind, object: fromApiObject(o).json }))),
    );
    return lists.flat();
  }

  private async delete({ kind, object }: NamespacedObject): Promise<void> {
    const { namespace = "", name = "", uid } = metadataOf(object);
    try {
      await this.client.delete({ kind, namespace, name, preconditions: { uid }, propagationPolicy: "Background" });
    } catch (e) {
      if (!isCapstanError(e, "NotFound") && !isCapstanError(e, "Conflict")) throw e;
    }
  }
}
