import { ObjectBuilder, type JsonObject } from "./object-builder.js";

/** A Service: ClusterIP, selecting app=web, port "http" 80 to the pods' "http", unless said. */
export class ServiceBuilder extends ObjectBuilder {
  private readonly spec: JsonObject = {
    type: "ClusterIP",
    selector: { app: "web" },
    ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }],
  };

  constructor(name: string) {
    super("Service", name);
  }

  /** Its selector; `{}` for a Service whose endpoints are managed by hand. */
  selecting(labels: Record<string, string>): this {
    this.spec["selector"] = { ...labels };
    return this;
  }

  withPorts(...ports: JsonObject[]): this {
    this.spec["ports"] = ports;
    return this;
  }

  withClusterIP(ip: string): this {
    this.spec["clusterIP"] = ip;
    return this;
  }

  headless(): this {
    return this.withClusterIP("None");
  }

  /** Other spec fields (type, externalName, publishNotReadyAddresses, …). */
  withSpec(fields: JsonObject): this {
    Object.assign(this.spec, fields);
    return this;
  }

  protected body(): JsonObject {
    return { spec: { ...this.spec } };
  }
}

export function aService(name = "web"): ServiceBuilder {
  return new ServiceBuilder(name);
}
