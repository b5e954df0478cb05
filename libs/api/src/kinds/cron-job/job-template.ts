/** The Job a CronJob's jobTemplate makes (Kubernetes' cronjob getJobFromTemplate2, kubectl's createJobFromCronJob). */
import type { JsonObject } from "@capstan/apimachinery";
import { metaOf, objectOf } from "../../object-view.js";
import { valueAt } from "../../printing/cells.js";

export interface JobFromCronJobOptions {
  /** Added to the template's annotations (the scheduled time, or that the Job was started by hand). */
  readonly annotations: Readonly<Record<string, string>>;
  /** Set on the CronJob owner reference (the controller does; kubectl does not, lacking cronjobs/finalizers). */
  readonly blockOwnerDeletion?: boolean;
}

/**
 * A Job named `name` in the CronJob's namespace: the jobTemplate's labels (left out when there are none),
 * its annotations plus `options.annotations`, a copy of its spec, and the CronJob as its controller.
 */
export function jobFromCronJob(cronJob: JsonObject, name: string, options: JobFromCronJobOptions): JsonObject {
  const meta = metaOf(cronJob);
  const templateMeta = metaOf(valueAt(cronJob, "spec", "jobTemplate"));
  const block = options.blockOwnerDeletion ? { blockOwnerDeletion: true } : {};
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name,
      namespace: meta.namespace,
      ...(Object.keys(templateMeta.labels).length > 0 ? { labels: { ...templateMeta.labels } } : {}),
      annotations: { ...templateMeta.annotations, ...options.annotations },
      ownerReferences: [{ apiVersion: "batch/v1", kind: "CronJob", name: meta.name, uid: meta.uid, controller: true, ...block }],
    },
    spec: structuredClone(objectOf(valueAt(cronJob, "spec", "jobTemplate", "spec")) ?? {}),
  };
}
