/** The Events the job controller records, as Kubernetes' job-controller words them. */
import type { JobCondition } from "@capstan/api";

export interface JobEvent {
  readonly type: "Normal" | "Warning";
  readonly reason: string;
  readonly message: string;
}

/** An event for each condition that turned as it is now since `previous`: Completed, the failure's reason, Suspended, Resumed. */
export function conditionEvents(previous: readonly JobCondition[], next: readonly JobCondition[]): JobEvent[] {
  const events: JobEvent[] = [];
  for (const c of next) {
    const was = previous.find((p) => p.type === c.type);
    if (was && was.status === c.status && was.reason === c.reason) continue;
    if (c.type === "Complete" && c.status === "True") events.push({ type: "Normal", reason: "Completed", message: "Job completed" });
    if (c.type === "Failed" && c.status === "True") events.push({ type: "Warning", reason: c.reason, message: c.message });
    if (c.type === "Suspended") events.push(c.status === "True" ? { type: "Normal", reason: "Suspended", message: "Job suspended" } : { type: "Normal", reason: "Resumed", message: "Job resumed" });
  }
  return events;
}
