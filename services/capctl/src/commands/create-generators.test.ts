import { describe, expect, it } from "vitest";
import { deploymentFrom, namespaceFrom, serviceFrom } from "./create-generators.js";

/** The objects below are what kubectl 1.32's `create ... --dry-run=client -o yaml` prints, less its null and empty fields. */
describe("deploymentFrom", () => {
  it("labels and selects app=NAME, names each container after its image and gives the first the port", () => {
    const d = deploymentFrom("web", { images: ["nginx:1.27", "registry.io/team/side@sha256:abc"], replicas: 2, port: 80 });
    expect(d).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", labels: { app: "web" } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: {
            containers: [
              { name: "nginx", image: "nginx:1.27", ports: [{ containerPort: 80 }] },
              { name: "side", image: "registry.io/team/side@sha256:abc" },
            ],
          },
        },
      },
    });
  });

  it("defaults to one replica and no port; dashes an image name with _ or . and makes it unique", () => {
    const d = deploymentFrom("web", { images: ["a/b_c.d:1"] });
    expect(d["spec"]).toMatchObject({ replicas: 1 });
    const [container] = (d["spec"] as any).template.spec.containers;
    expect(container.name).toMatch(/^b-c-d-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(container.ports).toBeUndefined();
  });

  it("gives the command after -- to the container, and refuses it with several images", () => {
    expect((deploymentFrom("job", { images: ["busybox"], command: ["sleep", "10"] })["spec"] as any).template.spec.containers[0].command).toEqual(["sleep", "10"]);
    expect(() => deploymentFrom("job", { images: ["a", "b"], command: ["sleep"] })).toThrow("cannot specify multiple --image options and command");
    expect(() => deploymentFrom("job", { images: [] })).toThrow('required flag(s) "image" not set');
  });
});

describe("serviceFrom", () => {
  it("names each port after its --tcp, the target the port when not given", () => {
    expect(serviceFrom("ClusterIP", "web", { tcp: ["80:8080", "443", "81:http"] })).toEqual({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web", labels: { app: "web" } },
      spec: {
        ports: [
          { name: "80-8080", port: 80, targetPort: 8080, protocol: "TCP" },
          { name: "443", port: 443, targetPort: 443, protocol: "TCP" },
          { name: "81-http", port: 81, targetPort: "http", protocol: "TCP" },
        ],
        selector: { app: "web" },
        type: "ClusterIP",
      },
    });
  });

  it("sets a headless cluster IP for clusterip and the node port for nodeport", () => {
    expect(serviceFrom("ClusterIP", "db", { tcp: ["5432"], clusterIP: "None" })["spec"]).toMatchObject({ clusterIP: "None" });
    expect(serviceFrom("NodePort", "np", { tcp: ["80:8080"], nodePort: 30080 })["spec"]).toMatchObject({ type: "NodePort", ports: [{ nodePort: 30080 }] });
  });

  it.each([
    { tcp: [], error: "at least one tcp port specifier must be provided" },
    { tcp: ["abc"], error: 'strconv.ParseUint: parsing "abc": invalid syntax' },
    { tcp: ["99999"], error: 'strconv.ParseUint: parsing "99999": value out of range' },
    { tcp: ["80:0"], error: "must be between 1 and 65535, inclusive" },
    { tcp: ["80:Bad_Name"], error: "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)" },
  ])("refuses --tcp=$tcp with kubectl's message", ({ tcp, error }) => {
    expect(() => serviceFrom("ClusterIP", "web", { tcp })).toThrow(error);
  });
});

describe("namespaceFrom", () => {
  it("is a bare namespace", () => {
    expect(namespaceFrom("team-a")).toEqual({ apiVersion: "v1", kind: "Namespace", metadata: { name: "team-a" } });
  });
});
