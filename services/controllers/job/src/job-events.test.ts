import { describe, expect, it } from "vitest";
import type { JobCondition } from "@capstan/api";
import { conditionEvents } from "./job-events.js";

const c = (type: string, status: string, reason: string, message = ""): JobCondition => ({ type, status, reason, message, lastProbeTime: "", lastTransitionTime: "" });

describe("the job controller's events", () => {
  it.each([
    { name: "completed", previous: [], next: [c("Complete", "True", "CompletionsReached")], events: ["Normal Completed Job completed"] },
    {
      name: "failed at the backoff limit",
      previous: [],
      next: [c("Failed", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit")],
      events: ["Warning BackoffLimitExceeded Job has reached the specified backoff limit"],
    },
    { name: "suspended", previous: [], next: [c("Suspended", "True", "JobSuspended")], events: ["Normal Suspended Job suspended"] },
    { name: "resumed", previous: [c("Suspended", "True", "JobSuspended")], next: [c("Suspended", "False", "JobResumed")], events: ["Normal Resumed Job resumed"] },
    { name: "nothing new", previous: [c("Suspended", "True", "JobSuspended")], next: [c("Suspended", "True", "JobSuspended")], events: [] },
  ])("$name", ({ previous, next, events }) => {
    expect(conditionEvents(previous, next).map((e) => `${e.type} ${e.reason} ${e.message}`)).toEqual(events);
  });
});
