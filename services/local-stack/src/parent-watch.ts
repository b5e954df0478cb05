import { readFileSync } from "node:fs";

/**
 * Calls `gone` once the process that started this one has exited. Node caches process.ppid, and a
 * re-parented process gets init (or a subreaper) as its parent, so this reads the live parent from
 * /proc; without /proc it asks whether the first parent still exists.
 */
export function onParentExit(gone: () => void, intervalMs = 500): void {
  const first = process.ppid;
  const timer = setInterval(() => {
    if (currentParent() === first) return;
    clearInterval(timer);
    gone();
  }, intervalMs);
  timer.unref();

  function currentParent(): number {
    try {
      const stat = readFileSync("/proc/self/stat", "utf8");
      return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    } catch {
      try {
        process.kill(first, 0);
        return first;
      } catch (e) {
        return (e as NodeJS.ErrnoException).code === "EPERM" ? first : -1;
      }
    }
  }
}
