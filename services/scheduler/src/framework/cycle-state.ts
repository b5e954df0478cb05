/**
 * A per-attempt scratchpad: PreFilter computes once, Filter and Score read it for every node. A typed
 * `StateKey<T>` replaces Go's type assertion.
 */
export class StateKey<T> {
  declare private readonly type: T;
  constructor(readonly name: string) {}
}

export class CycleState {
  private readonly data = new Map<StateKey<unknown>, unknown>();

  read<T>(key: StateKey<T>): T | undefined {
    return this.data.get(key) as T | undefined;
  }

  write<T>(key: StateKey<T>, value: T): void {
    this.data.set(key, value);
  }

  /** A copy for what-if runs (preemption); values are shared, so plugins must not mutate them. */
  clone(): CycleState {
    const copy = new CycleState();
    for (const [k, v] of this.data) copy.data.set(k, v);
    return copy;
  }
}
