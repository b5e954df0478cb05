import { connect } from "node:http2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateRequest, toApiObject } from "@capstan/api";
import { isCapstanError } from "@capstan/apimachinery";
import { startTestCluster, type TestCluster } from "./support/index.js";

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ nodes: 0 });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

/**
 * One gRPC call with a request body of our choosing, as a client in any language (or a broken one)
 * could send it: the gRPC status code and message the gateway answers.
 */
async function rawCall(method: string, message: Uint8Array): Promise<{ code: number; message: string }> {
  const session = connect(`http://${cluster.stack.gateway}`);
  try {
    return await new Promise((resolve, reject) => {
      const frame = Buffer.alloc(5 + message.length);
      frame.writeUInt32BE(message.length, 1);
      frame.set(message, 5);
      const stream = session.request({ ":method": "POST", ":path": `/capstan.v1.Gateway/${method}`, "content-type": "application/grpc", te: "trailers" });
      let headers: Record<string, unknown> = {};
      stream.on("response", (h) => (headers = h));
      stream.on("trailers", (t) => (headers = { ...headers, ...t }));
      stream.on("data", () => {});
      stream.on("end", () => resolve({ code: Number(headers["grpc-status"]), message: decodeURIComponent(String(headers["grpc-message"] ?? "")) }));
      stream.on("error", reject);
      stream.end(frame);
    });
  } finally {
    session.close();
  }
}

const INVALID_ARGUMENT = 3;

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
  ["quantity beyond the range", pod("spec:\n  containers:\n  - name: c\n    image: busybox\n    resources:\n      requests:\n        cpu: '1e400'\n"), /spec\.containers\[0\]\.resources\.requests\[cpu\]: Invalid value "1e400": quantities must be no larger than 2\^63-1/],
  ["quantity YAML reads as infinity", pod("spec:\n  containers:\n  - name: c\n    image: busybox\n    resources:\n      requests:\n        cpu: 1e400\n"), /spec\.containers\[0\]\.resources\.requests\[cpu\]: Invalid value Infinity: must be a quantity/],
  ["no containers", pod("spec:\n  containers: []\n"), /spec\.containers: Required value/],
  ["missing image", pod("spec:\n  containers:\n  - name: c\n"), /spec\.containers\[0\]\.image: Required value/],
  ["name beyond ASCII", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: grüße\nspec:\n  containers: [{name: c, image: busybox}]\n", /metadata\.name: Invalid value "grüße"/],
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

  it.each([
    { name: "an empty CreateRequest", method: "Create", body: new Uint8Array(), message: /^request is invalid: object: Required value$/ },
    { name: "a CreateRequest with an empty object", method: "Create", body: Uint8Array.of(0x0a, 0x00), message: /^object is invalid: object: Required value: one of namespace, pod, .* must be set$/ },
    {
      name: "a CreateRequest whose object is not protobuf",
      method: "Create",
      body: Uint8Array.of(0x0a, 0x04, 0xff, 0xff, 0xff, 0xff),
      message: /^request is invalid: body: Invalid value: cannot decode a \/capstan\.v1\.Gateway\/Create request: /,
    },
    {
      name: "a cpu request of 1e400",
      method: "Create",
      body: CreateRequest.encode({
        object: toApiObject({ apiVersion: "v1", kind: "Pod", metadata: { name: "huge-cpu" }, spec: { containers: [{ name: "c", image: "busybox", resources: { requests: { cpu: "1e400" } } }] } }),
      }).finish(),
      message: /^Pod "huge-cpu" is invalid: spec\.containers\[0\]\.resources\.requests\[cpu\]: Invalid value "1e400": /,
    },
    { name: "an empty UpdateRequest", method: "Update", body: new Uint8Array(), message: /^request is invalid: object: Required value$/ },
    { name: "a Get of an empty kind", method: "Get", body: new Uint8Array(), message: /^request is invalid: kind: Unsupported value "": supported kinds are "Namespace", / },
    { name: "a Delete without a name", method: "Delete", body: Uint8Array.of(0x0a, 0x03, ...Buffer.from("Pod")), message: /^request is invalid: name: Required value$/ },
    { name: "an empty BindRequest", method: "Bind", body: new Uint8Array(), message: /^request is invalid: name: Required value; nodeName: Required value$/ },
    { name: "a Watch that is not protobuf", method: "Watch", body: Uint8Array.of(0xff), message: /^request is invalid: body: Invalid value: cannot decode a \/capstan\.v1\.Gateway\/Watch request: / },
  ])("answers $name with INVALID_ARGUMENT, naming the field", async ({ method, body, message }) => {
    const answer = await rawCall(method, body);
    expect(answer.message).toMatch(message);
    expect(answer.code).toBe(INVALID_ARGUMENT);
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
    expect(await rawCall("Get", new Uint8Array([0x0a, 0x03, ...Buffer.from("Pod"), 0x1a, 0x02, ...Buffer.from("ok")]))).toEqual({ code: 0, message: "OK" });
  });
});
