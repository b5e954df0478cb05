/**
 * What tools and load balancers ask a gRPC server before anything else: server reflection (the
 * services and their messages, so grpcurl works without the .proto files) and the standard health
 * service, grpc.health.v1.Health (NOT_SERVING until the gateway is ready and again while it stops).
 */
import type { Server } from "@grpc/grpc-js";
import { loadFileDescriptorSetFromBuffer, loadSync } from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import { HealthImplementation, protoPath as healthProtoPath } from "grpc-health-check";
import { gatewayFileDescriptorSet } from "@capstan/api";

/** The gateway's own service, as health checks name it; "" is the whole server, by the protocol's convention. */
export const GATEWAY_SERVICE = "capstan.v1.Gateway";

export interface ServingState {
  serving(): void;
  stopping(): void;
}

export function addIntrospection(server: Server): ServingState {
  const health = new HealthImplementation({ "": "NOT_SERVING", [GATEWAY_SERVICE]: "NOT_SERVING" });
  health.addToServer(server);
  const described = { ...loadFileDescriptorSetFromBuffer(Buffer.from(gatewayFileDescriptorSet())), ...loadSync(healthProtoPath) };
  new ReflectionService(described).addToServer(server);
  const set = (status: "SERVING" | "NOT_SERVING") => {
    for (const service of ["", GATEWAY_SERVICE]) health.setStatus(service, status);
  };
  return { serving: () => set("SERVING"), stopping: () => set("NOT_SERVING") };
}
