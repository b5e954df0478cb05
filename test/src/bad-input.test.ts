import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toApiObject } from "@capstan/api";
import { isCapstanError } from "@capstan/apimachinery";
import { startTestCluster, type TestCluster } from "./support/index.js";

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ nodes: 0 });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

const pod = (body: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ok\n${body}`;

/** Each bad manifest, and the words its one-line error must contain (field path and rule). */
const corpus: [string, string, RegExp][] = [
  ["malformed YAML", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n", /error parsing stdin/],
  ["unknown kind", "apiVersion: v1\nkind: Teapot\nmetadata:\n  name: t\n", /kind: Unsupported value "Teapot"/],
  ["wrong apiVersion", "apiVersion: apps/v1\nkind: Pod\nmetadata:\n  name: t\nspec:\n  containers: [{name: c, image: busybox}]\n", /apiVersion/],
  ["unknown field", pod("spec:\n  containers:\n  - name: c\n    image: busybox\n    imagee: typo\n"), /spec\.containers\[0\]\.imagee: unknown field/],
  ["wrong type", pod("spec:\n  containers:\n  - name: c\n    image: busybox\n    ports:\n    - containerPort: http\n"), /spec\.containers\[0\]\.ports\[0\]\.containerPort: Invalid value "http"/],
  ["invalid name", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: Bad_Name\nspec:\n  containers: [{name: c, image: busybox}]\n", /metadata\.name: Invalid value "Bad_Name"/],
  ["invalid quantity", pod("spec:\n  containers:\n  - name: c\n    image: busybox\n    resources:\n      requests:\n        cpu: lots\n"), /spec\.containers\[0\]\.resources\.requests\[cpu\]: Invalid value "lots"/],
  ["no containers", pod("spec:\n  containers: []\n"), /spec\.containers: Required value/],
  ["missing image", pod("spec:\n  containers:\n  - name: c\n"), /spec\.containers\[0\]\.image: Required value/],
  ["invalid label", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: l\n  labels:\n    'bad key!': x\nspec:\n  containers: [{name: c, image: busybox}]\n", /metadata\.labels: Invalid value "bad key!"/],
  ["missing namespace", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: n\n  namespace: nowhere\nspec:\n  containers: [{name: c, image: busybox}]\n", /Namespace "nowhere" not found/],
];

describe("bad input", () => {
  it.each(corpus)("%s gets one clear error line", async (_name, manifest, expected) => {
    const r = await cluster.capctl(["apply", "-f", "-"], manifest);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(expected);
  });

  it("refuses an object over the size limit, naming the limit", async () => {
    const huge = toApiObject({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "huge" },
      spec: {
        containers: [{ name: "c", image: "busybox", env: Array.from({ length: 2048 }, (_, i) => ({ name: `V${i}`, value: "x".repeat(1024) })) }],
      },
    });
    const error = await cluster.client.create(huge).catch((e: unknown) => e);
    expect(isCapstanError(error, "Invalid")).toBe(true);
    expect((error as Error).message).toMatch(/Too long: object size \d+ exceeds the limit of \d+ bytes/);
  });

  it("refuses invalid input sent straight to the gRPC API, not only through capctl", async () => {
    const error = await cluster.client
      .create(toApiObject({ apiVersion: "v1", kind: "Pod", metadata: { name: "UPPER" }, spec: { containers: [{ name: "c", image: "busybox" }] } }))
      .catch((e: unknown) => e);
    expect(isCapstanError(error, "Invalid")).toBe(true);
    expect((error as Error).message).toMatch(/metadata\.name: Invalid value "UPPER"/);
  });

  it("says in one line, at once, when no gateway answers at the address", async () => {
    const r = await cluster.capctl(["--server", "127.0.0.1:1", "get", "pods"]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe("error: cannot reach the gateway at 127.0.0.1:1: is the stack running (pnpm start)? Point --server or CAPSTAN_GATEWAY at it.");
  });

  it("keeps serving after all of it, and stored nothing invalid", async () => {
    const r = await cluster.capctl(["apply", "-f", "-"], pod("spec:\n  containers: [{name: c, image: busybox}]\n"));
    expect(r.stdout.trim()).toBe("pod/ok created");
    const list = await cluster.client.list({ kind: "Pod", namespace: "" });
    expect(list.items.map((o) => o.pod!.metadata!.name)).toEqual(["ok"]);
    expect(cluster.stack.service("api-gateway").running).toBe(true);
  });
});
