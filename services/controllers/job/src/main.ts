import { EventRecorder } from "@capstan/client";
import { controller, runControllerProcess } from "@capstan/controller-runtime";
import { jobControllerConfig } from "./config.js";
import { JobReconciler } from "./job-controller.js";

/** Runs Jobs' pods to completion (one process, one lease). */
runControllerProcess("job-controller", ({ client, informer, log }) => {
  const jobs = informer("Job");
  const pods = informer("Pod");
  const recorder = new EventRecorder(client, { component: "job-controller" }, log);
  return [controller("job", { workers: 4, log }).for(jobs).owns(pods).complete(new JobReconciler(jobs, pods, client, recorder, jobControllerConfig()))];
});
