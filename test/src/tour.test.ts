import { execFile, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { get as httpGet } from "node:http";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { examplesImageCatalog } from "@capstan/local-stack";
import { eventually, repoRoot, startTestCluster, type TestCluster } from "./support/index.js";

/**
 * README.md's "A short tour", command after command, against a cluster started as `pnpm start` starts
 * one: two node agents and its image catalog. Each command must print what the tour says it does;
 * the README's commands and these steps must be the same list, so neither changes alone.
 */
const run = promisify(execFile);

type Placeholders = Record<string, string>;

interface Step {
  /** The command as the README writes it, without its comment. */
  readonly command: string;
  /**
   * What its output shows. Named groups become placeholders for later commands (`POD_IP` is
   * `<POD-IP>`); a function may throw, or return placeholders.
   */
  readonly shows: RegExp | ((out: string) => Placeholders | void);
  /** Run again until it shows that, as a reader runs `get pods` again until they are Running. */
  readonly until?: boolean;
  /** It follows (`logs -f`): read its output until it shows that, then stop it as Ctrl-C would. */
  readonly follows?: boolean;
}

const podName = /^my-deployment-[a-z0-9]+-[a-z0-9]+$/;
/** Who answered through `<CLUSTER-IP>`: balanced means more than one pod, sooner or later. */
const answeredByClusterIP = new Set<string>();

const tour: Step[] = [
  { command: "pnpm capctl get nodes", until: true, shows: /^node-1\s+Ready\s[\s\S]*^node-2\s+Ready\s/m },
  { command: "pnpm capctl apply -f ../shared/examples/shared-volume-pod.yaml", shows: /^pod\/mc1 created$/m },
  { command: "pnpm capctl get pods -o wide", until: true, shows: /^mc1\s+2\/2\s+Running\s+0\s+\S+\s+(?<POD_IP>127\.\d+\.\d+\.\d+)\s+node-[12]\s+<none>\s+<none>\s*$/m },
  { command: "curl http://<POD-IP>/", until: true, shows: /^\w{3} \w{3} +\d+ \d\d:\d\d:\d\d /m },
  { command: "pnpm capctl describe pod mc1", until: true, shows: /^Volumes:[\s\S]*html:[\s\S]*^Events:[\s\S]*Normal\s+Started\s/m },
  { command: "pnpm capctl logs mc1 -c 1st -f", follows: true, shows: /"GET \/ HTTP\/1\.1" 200/ },
  { command: "pnpm capctl exec mc1 -c 1st -- ls /usr/share/nginx/html", shows: /^index\.html$/m },
  { command: "pnpm capctl delete pod mc1", shows: /^pod "mc1" deleted$/m },
  { command: "pnpm capctl apply -f ../shared/examples/pod.yaml -f ../shared/examples/two-container-pod.yaml", shows: /^pod\/myapp created\npod\/webserver created$/m },
  { command: "pnpm capctl get pods", until: true, shows: /^myapp\s+0\/1\s+(ErrImagePull|ImagePullBackOff)\s[\s\S]*^webserver\s+1\/2\s+(ErrImagePull|ImagePullBackOff)\s/m },
  { command: "pnpm capctl apply -f ../shared/examples/deployment.yaml", shows: /^deployment\.apps\/my-deployment created$/m },
  { command: "pnpm capctl get deploy,rs,pods", until: true, shows: /^deployment\.apps\/my-deployment\s+3\/3\s+3\s+3\s/m },
  { command: "pnpm capctl set image deployment/my-deployment my-container=my-image:2", shows: /^deployment\.apps\/my-deployment image updated$/m },
  { command: "pnpm capctl rollout status deployment/my-deployment", shows: /deployment "my-deployment" successfully rolled out/ },
  { command: "pnpm capctl rollout history deployment/my-deployment", shows: /^REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>$/m },
  { command: "pnpm capctl rollout undo deployment/my-deployment", shows: /^deployment\.apps\/my-deployment rolled back$/m },
  { command: "pnpm capctl scale deployment/my-deployment --replicas=5", shows: /^deployment\.apps\/my-deployment scaled$/m },
  { command: "pnpm capctl apply -f ../shared/examples/service.yaml", shows: /^service\/my-service created$/m },
  {
    command: "pnpm capctl get svc,endpoints,endpointslices",
    until: true,
    shows: (out) => {
      const service = /^service\/my-service\s+ClusterIP\s+(\S+)\s+<none>\s+80\/TCP\s/m.exec(out);
      const endpoints = /^endpoints\/my-service\s+(\S+)\s/m.exec(out)?.[1] ?? "";
      // Five ready pods: the table shows three and "+ 2 more...".
      if (!service || !/^(127\.\d+\.\d+\.\d+:8080,){2}127\.\d+\.\d+\.\d+:8080$/.test(endpoints) || !/^endpoints\/my-service\s+\S+ \+ 2 more\.\.\./m.test(out)) {
        throw new Error(`my-service with 5 endpoints on 8080 in:\n${out}`);
      }
      expect(out).toMatch(/^endpointslice\.discovery\.k8s\.io\/my-service-\w+\s+IPv4\s+8080\s/m);
      return { "CLUSTER-IP": service[1]! };
    },
  },
  {
    command: "curl http://<CLUSTER-IP>/",
    until: true,
    shows: (out) => {
      expect(out).toMatch(podName);
      answeredByClusterIP.add(out);
      if (answeredByClusterIP.size < 2) throw new Error(`only ${[...answeredByClusterIP].join()} answered so far`);
    },
  },
  { command: "dig @127.0.0.1 -p 10053 +short my-service.default.svc.cluster.local", shows: (out) => void expect(out.trim()).toBe(placeholders["CLUSTER-IP"]) },
  { command: "pnpm capctl expose deployment my-deployment --port 80 --target-port 8080 --name web --type NodePort", shows: /^service\/web exposed$/m },
  { command: "pnpm capctl get svc web", shows: /^web\s+NodePort\s+\S+\s+<none>\s+80:(?<NODE_PORT>\d+)\/TCP\s/m },
  { command: "curl http://127.1.0.1:<NODE-PORT>/", until: true, shows: podName },
  { command: "pnpm capctl delete deployment my-deployment --cascade=foreground", shows: /^deployment\.apps "my-deployment" deleted$/m },
  { command: "pnpm capctl apply -f ../shared/examples/statefulset.yaml", shows: /^service\/nginx created\nstatefulset\.apps\/web created$/m },
  { command: "pnpm capctl get pvc", until: true, shows: /^www-web-0\s+Bound\s+pvc-\S+\s+1Gi\s+RWO\s+local-path\s[\s\S]*^www-web-1\s+Bound\s+pvc-/m },
  { command: "dig @127.0.0.1 -p 10053 +short web-0.nginx.default.svc.cluster.local", until: true, shows: /^127\.\d+\.\d+\.\d+$/m },
  { command: "pnpm capctl set image statefulset/web nginx=nginx:1.27", shows: /^statefulset\.apps\/web image updated$/m },
  { command: "pnpm capctl rollout history statefulset/web", until: true, shows: /^REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>$/m },
  { command: "pnpm capctl rollout undo statefulset/web", shows: /^statefulset\.apps\/web rolled back$/m },
  { command: "kubectl get nodes", until: true, shows: /^node-1\s+Ready\s[\s\S]*^node-2\s+Ready\s/m },
  { command: "kubectl rollout status statefulset/web", shows: /^partitioned roll out complete: 2 new pods have been updated\.\.\.$/m },
  { command: "kubectl scale statefulset/web --replicas=3", shows: /^statefulset\.apps\/web scaled$/m },
  {
    command: "kubectl get statefulsets,pods,pvc",
    until: true,
    shows: /^statefulset\.apps\/web\s+3\/3\s[\s\S]*^pod\/web-2\s+1\/1\s+Running\s[\s\S]*^persistentvolumeclaim\/www-web-2\s+Bound\s/m,
  },
  { command: "kubectl explain statefulset.spec.updateStrategy", shows: /^KIND:\s+StatefulSet\n[\s\S]*^FIELD: updateStrategy <StatefulSetUpdateStrategy>$[\s\S]*^ {2}rollingUpdate\t/m },
  { command: "kubectl delete -f ../shared/examples/statefulset.yaml", shows: /^service "nginx" deleted\nstatefulset\.apps "web" deleted$/m },
];

/** The commands of the tour's code blocks, in order, without their comments. */
function readmeTour(): string[] {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const section = readme.split(/^## A short tour$/m)[1]?.split(/^## /m)[0] ?? "";
  return [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].flatMap((block) =>
    block[1]!
      .split("\n")
      .map((line) => line.replace(/\s+#\s.*$/, "").trim())
      .filter(Boolean),
  );
}

let cluster: TestCluster;
/** The tour's placeholders, and what pnpm start's fixed addresses are in this cluster. */
const placeholders: Placeholders = {};
let addresses: [string, string][] = [];

beforeAll(async () => {
  cluster = await startTestCluster({ nodes: 2, env: { CAPSTAN_IMAGE_CATALOG: examplesImageCatalog } });
  const node1 = (await cluster.client.get({ kind: "Node", namespace: "", name: "node-1" })).node!;
  const kubeDns = await eventually(async () => (await cluster.client.get({ kind: "Endpoints", namespace: "kube-system", name: "kube-dns" })).endpoints, {
    what: "the kube-dns endpoints",
  });
  const dns = kubeDns.subsets[0]!;
  addresses = [
    // pnpm start's DNS listens on 127.0.0.1:10053 and node-1's address is 127.1.0.1; here they are free picks.
    ["@127.0.0.1 -p 10053", `@${dns.addresses[0]!.ip} -p ${dns.ports[0]!.port}`],
    ["127.1.0.1", node1.status!.addresses.find((a) => a.type === "InternalIP")!.address],
  ];
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

function fetchText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // A connection of its own each time, as each curl has.
    const req = httpGet(url, { agent: false, timeout: 5000 }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => (res.statusCode === 200 ? resolve(body.trim()) : reject(new Error(`HTTP ${res.statusCode}: ${body}`))));
    });
    req.on("timeout", () => req.destroy(new Error(`${url}: timed out`)));
    req.on("error", reject);
  });
}

/** A following capctl command's output, once it shows `until`; then it gets SIGINT, as from Ctrl-C. */
function follow(args: string[], until: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, "services/capctl/dist/main.js"), "--server", cluster.stack.gateway, ...args], { cwd: repoRoot });
    let out = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`capctl ${args.join(" ")} did not show ${until} within 30 s; it printed:\n${out}`));
    }, 30_000);
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (until.test(out)) {
        clearTimeout(timer);
        child.kill("SIGINT");
        resolve(out);
      }
    });
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`capctl ${args.join(" ")} exited (${code}) before showing ${until}:\n${out}`));
    });
  });
}

async function runCommand(step: Step): Promise<string> {
  let command = step.command.replaceAll(/<([A-Z-]+)>/g, (_, name: string) => placeholders[name] ?? `<${name} unknown>`);
  for (const [asStarted, here] of addresses) command = command.replaceAll(asStarted, here);
  const [program, ...args] = command.split(/\s+/);
  if (program === "pnpm" && args[0] === "capctl") {
    if (!step.follows) return cluster.capctlOk(args.slice(1));
    if (!(step.shows instanceof RegExp)) throw new Error("a following command needs a pattern to stop at");
    return follow(args.slice(1), step.shows);
  }
  if (program === "kubectl") return cluster.kubectlOk(args);
  if (program === "curl") return fetchText(args[0]!);
  if (program === "dig") return (await run("dig", args)).stdout;
  throw new Error(`the test cannot run ${program}`);
}

function check(step: Step, out: string): void {
  if (step.shows instanceof RegExp) {
    const found = step.shows.exec(out);
    if (!found) throw new Error(`${step.command}: expected ${step.shows} in:\n${out}`);
    for (const [name, value] of Object.entries(found.groups ?? {})) placeholders[name.replaceAll("_", "-")] = value;
  } else {
    Object.assign(placeholders, step.shows(out) ?? {});
  }
}

describe("the README's tour", () => {
  it("lists the commands this test runs, in its order", () => {
    expect(readmeTour()).toEqual(tour.map((s) => s.command));
  });

  it.each(tour.map((step, i) => ({ ...step, name: `${i + 1}. ${step.command}` })))("$name", async (step) => {
    if (!step.until) return check(step, await runCommand(step));
    await eventually(async () => (check(step, await runCommand(step)), true), { timeoutMs: 60_000, what: step.command });
  }, 90_000);
});
