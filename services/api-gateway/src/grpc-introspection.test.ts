import { credentials, loadPackageDefinition, Server, ServerCredentials, type Client, type ServiceClientConstructor } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { protoPath } from "grpc-health-check";
import { afterEach, describe, expect, it } from "vitest";
import { addIntrospection, GATEWAY_SERVICE } from "./grpc-introspection.js";

type HealthClient = Client & { check(req: { service: string }, cb: (e: Error | null, res: { status: string }) => void): void };

// Enums as their names, as grpcurl prints them.
const Health = (loadPackageDefinition(loadSync(protoPath, { enums: String })) as any).grpc.health.v1.Health as ServiceClientConstructor;

let stop = () => {};
afterEach(() => stop());

async function serve() {
  const server = new Server();
  const state = addIntrospection(server);
  const port = await new Promise<number>((resolve, reject) => server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  const client = new Health(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as HealthClient;
  stop = () => {
    client.close();
    server.forceShutdown();
  };
  const check = (service: string) => new Promise<string>((resolve, reject) => client.check({ service }, (e, res) => (e ? reject(e) : resolve(res.status))));
  return { state, check };
}

describe("the gateway's health service", () => {
  it("is NOT_SERVING until ready, SERVING once ready, NOT_SERVING again while it stops, for the server and the gateway service", async () => {
    const { state, check } = await serve();
    expect([await check(""), await check(GATEWAY_SERVICE)]).toEqual(["NOT_SERVING", "NOT_SERVING"]);
    state.serving();
    expect([await check(""), await check(GATEWAY_SERVICE)]).toEqual(["SERVING", "SERVING"]);
    state.stopping();
    expect([await check(""), await check(GATEWAY_SERVICE)]).toEqual(["NOT_SERVING", "NOT_SERVING"]);
  });

  it("answers NOT_FOUND for a service it does not serve", async () => {
    const { check } = await serve();
    await expect(check("example.Unknown")).rejects.toMatchObject({ code: 5 });
  });
});
