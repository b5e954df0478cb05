/**
 * kubectl create job NAME --from=cronjob/NAME (kubectl's create_job.go createJobFromCronJob): a Job from a
 * CronJob's jobTemplate, marked as started by hand and owned by the CronJob, so its history limits count it.
 */
import { fromApiObject, jobFromCronJob as jobFromTemplateOf, resolveResourceName, toApiObject } from "@capstan/api";
import type { CapstanClient } from "@capstan/client";
import type { Json } from "../printers.js";
import { checkWrittenOutput, printWritten } from "../written-object.js";

export type CreateJobClient = Pick<CapstanClient, "get" | "create">;

/** The annotation that tells a Job started by hand from one the CronJob's schedule started. */
export const INSTANTIATE_ANNOTATION = "cronjob.kubernetes.io/instantiate";

/** The Job kubectl makes from a CronJob: the template's labels and annotations, and its spec. */
export function jobFromCronJob(name: string, cronJob: Json): Json {
  // Not blockOwnerDeletion, as kubectl: that would need the cronjobs/finalizers permission.
  return jobFromTemplateOf(cronJob, name, { annotations: { [INSTANTIATE_ANNOTATION]: "manual" } });
}

/** `--from=cronjob/NAME`: the CronJob's name; any other resource is refused, as kubectl. */
export function cronJobNameFrom(from: string): string {
  const [resource = "", name = "", ...rest] = from.split("/");
  if (resource === "" || name === "" || rest.length > 0) throw new Error(`from must be of the form <resource>/<name>, was "${from}"`);
  if (resolveResourceName(resource) !== "CronJob") throw new Error(`unknown object type: --from supports only cronjob, was "${resource}"`);
  return name;
}

export async function createJobFrom(client: CreateJobClient, name: string, from: string, opts: { namespace: string; output?: string }): Promise<void> {
  checkWrittenOutput(opts.output);
  const cronJob = fromApiObject(await client.get({ kind: "CronJob", namespace: opts.namespace, name: cronJobNameFrom(from) })).json;
  const created = await client.create(toApiObject(jobFromCronJob(name, cronJob)));
  printWritten("job.batch", fromApiObject(created).json, opts.output, "created");
}
