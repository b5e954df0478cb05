/**
 * Runs `op` over `items` with at most `maxInFlight` calls outstanding: round trips overlap, as a
 * pipeline's do, while a burst of thousands still cannot swamp the server. `op` handles its own errors.
 */
export async function pipelined<T>(items: Iterable<T>, maxInFlight: number, op: (item: T) => Promise<void>): Promise<void> {
  const iterator = items[Symbol.iterator]();
  const lane = async () => {
    for (let next = iterator.next(); !next.done; next = iterator.next()) await op(next.value);
  };
  await Promise.all(Array.from({ length: maxInFlight }, lane));
}
