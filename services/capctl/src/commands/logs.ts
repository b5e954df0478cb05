import type { CapstanClient } from "@capstan/client";

export interface LogsOptions {
  readonly namespace: string;
  readonly container?: string;
  readonly follow: boolean;
  readonly tail?: number;
  readonly previous: boolean;
}

export async function logs(client: CapstanClient, pod: string, opts: LogsOptions): Promise<void> {
  const name = pod.startsWith("pod/") ? pod.slice(4) : pod;
  const stream = client.logs({
    namespace: opts.namespace,
    name,
    container: opts.container ?? "",
    follow: opts.follow,
    previous: opts.previous,
    ...(opts.tail !== undefined && opts.tail >= 0 ? { tailLines: opts.tail } : {}),
  });
  process.once("SIGINT", () => stream.cancel());
  for await (const chunk of stream) process.stdout.write(chunk);
}
