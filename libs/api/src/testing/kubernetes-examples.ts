/**
 * The Namespace and Pod manifests of /work/shared/examples, as the `yaml` package parses them (that
 * package is not a dependency of this library, so they are transcribed here).
 */
export const kubernetesExamples: readonly { readonly name: string; readonly manifest: Record<string, unknown> }[] = [
  {
    name: "hpa.yaml (Namespace)",
    manifest: { apiVersion: "v1", kind: "Namespace", metadata: { name: "myapp-ns" } },
  },
  {
    name: "pod.yaml",
    manifest: {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "myapp", labels: { zones: "prod", version: "v1" } },
      spec: { containers: [{ name: "app-container", image: "punitporwal07/myapp:0.1", ports: [{ containerPort: 8000 }] }] },
    },
  },
  {
    name: "two-container-pod.yaml",
    manifest: {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "webserver" },
      spec: {
        containers: [
          { name: "webserver", image: "nginx:latest", ports: [{ containerPort: 80 }] },
          { name: "webwatcher", image: "afakharany/watcher:latest" },
        ],
      },
    },
  },
  {
    name: "webserver-pod.yaml",
    manifest: {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "webserver" },
      spec: { containers: [{ name: "webserver", image: "nginx:latest", ports: [{ containerPort: 80 }] }] },
    },
  },
  {
    name: "shared-volume-pod.yaml",
    manifest: {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "mc1" },
      spec: {
        volumes: [{ name: "html", emptyDir: {} }],
        containers: [
          { name: "1st", image: "nginx", volumeMounts: [{ name: "html", mountPath: "/usr/share/nginx/html" }] },
          {
            name: "2nd",
            image: "debian",
            volumeMounts: [{ name: "html", mountPath: "/html" }],
            command: ["/bin/sh", "-c"],
            args: ["while true; do date >> /html/index.html; sleep 1; done"],
          },
        ],
      },
    },
  },
];
