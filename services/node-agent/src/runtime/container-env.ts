import type { Container, Pod } from "@capstan/api";

/** The PATH a container gets when neither the image nor the spec sets one (the Debian image's). */
export const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/**
 * Kubernetes' `$(VAR_NAME)` expansion for env values, command and args: a defined variable is replaced,
 * an undefined one stays as written, and `$$` is an escaped `$`.
 */
export function expandVariables(input: string, lookup: (name: string) => string | undefined): string {
  if (!input.includes("$")) return input;
  let out = "";
  let i = 0;
  while (i < input.length) {
    const ch = input[i];
    if (ch !== "$" || i + 1 === input.length) {
      out += ch;
      i++;
      continue;
    }
    const next = input[i + 1];
    if (next === "$") {
      out += "$";
      i += 2;
    } else if (next === "(") {
      const close = input.indexOf(")", i + 2);
      if (close === -1) {
        out += "$(";
        i += 2;
        continue;
      }
      const name = input.slice(i + 2, close);
      out += lookup(name) ?? `$(${name})`;
      i = close + 1;
    } else {
      out += "$" + next;
      i += 2;
    }
  }
  return out;
}

export interface PodIdentity {
  name: string;
  namespace: string;
  podIP: string;
  hostname: string;
}

/**
 * The container's environment: the runtime's defaults, the pod's identity (POD_IP, POD_NAME,
 * POD_NAMESPACE, HOSTNAME), then the spec's `env` in order, each value expanded against what precedes it.
 */
export function containerEnvironment(container: Container, pod: PodIdentity): Record<string, string> {
  const env: Record<string, string> = {
    PATH: defaultPath,
    HOME: "/root",
    HOSTNAME: pod.hostname,
    POD_IP: pod.podIP,
    POD_NAME: pod.name,
    POD_NAMESPACE: pod.namespace,
  };
  for (const v of container.env) {
    env[v.name] = expandVariables(v.value, (name) => env[name]);
  }
  return env;
}

/** What `hostname` says inside the pod: spec.hostname, else the pod name, cut to a valid host name. */
export function podHostname(pod: Pod): string {
  const name = pod.spec?.hostname || pod.metadata?.name || "pod";
  return name.slice(0, 63).replace(/[.-]+$/, "");
}
