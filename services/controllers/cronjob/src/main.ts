import { EventRecorder } from "@capstan/client";
import { controller, runControllerProcess } from "@capstan/controller-runtime";
import { cronJobClock } from "./config.js";
import { CronJobReconciler } from "./cron-job-controller.js";

/** Starts CronJobs' Jobs on schedule and prunes their finished Jobs to the history limits. */
runControllerProcess("cronjob-controller", ({ client, informer, log }) => {
  const cronJobs = informer("CronJob");
  const jobs = informer("Job");
  const recorder = new EventRecorder(client, { component: "cronjob-controller" }, log);
  return [controller("cronjob", { workers: 2, log }).for(cronJobs).owns(jobs).complete(new CronJobReconciler(cronJobs, jobs, client, recorder, cronJobClock()))];
});
