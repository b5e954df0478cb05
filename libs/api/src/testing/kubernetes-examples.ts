/**
 * The manifests of supported kinds in /work/shared/examples (Namespace, Pod, Deployment, Service), as the `yaml` package parses them (that
 * package is not a dependency of this library, so they are transcribed here).
 */
export const kubernetesExamples: readonly { readonly name: string; readonly manifest: Record<string, unknown> }[] = [
  {
    name: "hpa.yaml (Namespace)",
    manifest: { apiVersion: "v1", kind: "Namespace", metadata: { name: "myapp-ns" } },
  },
  {
    name: "hpa.yaml (Deployment)",
    manifest: {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "mydeploy", namespace: "myapp-ns" },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: "mydeploy" } },
        template: {
          metadata: { labels: { app: "mydeploy" } },
          spec: { containers: [{ name: "web", image: "nginx:latest", resources: { requests: { cpu: "100m" } } }] },
        },
      },
    },
  },
  {
    name: "deployment.yaml",
    manifest: {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "my-deployment" },
      spec: {
        replicas: 3,
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: 1 } },
        selector: { matchLabels: { app: "my-app" } },
        template: {
          metadata: { labels: { app: "my-app" } },
          spec: { containers: [{ name: "my-container", image: "my-image", ports: [{ containerPort: 8080 }] }] },
        },
      },
    },
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
  {
    name: "service.yaml",
    manifest: {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "my-service" },
      spec: { selector: { app: "my-app" }, ports: [{ protocol: "TCP", port: 80, targetPort: 8080 }] },
    },
  },
];
