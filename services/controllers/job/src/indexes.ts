/** An Indexed Job's sets of indexes as status writes them: sorted intervals, "1,3-5,7" (Kubernetes' orderedIntervals). */

/** The indexes "1,3-5,7" names; malformed parts are skipped, as the controller only reads what it wrote. */
export function parseIndexes(text: string | undefined): Set<number> {
  const out = new Set<number>();
  for (const part of (text ?? "").split(",")) {
    const [first, last = first] = part.split("-").map((s) => Number.parseInt(s, 10));
    if (first === undefined || last === undefined || Number.isNaN(first) || Number.isNaN(last)) continue;
    for (let i = first; i <= last; i++) out.add(i);
  }
  return out;
}

/** Sorted, with runs of consecutive indexes as "first-last". */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}
