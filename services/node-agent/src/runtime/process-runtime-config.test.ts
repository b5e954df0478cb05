import { ConfigMap } from "@capstan/api";
import { describe, expect, it } from "vitest";
import type { ConfigObjects } from "./config-objects.js";
import { containerStatus, readAll, uid, useProcessRuntimes } from "./process-runtime-harness.js";
import { aContainer, aPod, eventually } from "./testing.js";

const { runtime } = useProcessRuntimes("127.214");

describe("ProcessRuntime with ConfigMaps", () => {
  it("holds a container whose ConfigMap is missing, and starts it as soon as the ConfigMap appears", async () => {
    const configMaps = new Map<string, ConfigMap>();
    const objects: ConfigObjects = { configMap: (_ns, name) => configMaps.get(name), secret: () => undefined };
    const { rt, events } = runtime({ configObjects: objects });
    const pod = aPod("late")
      .with(
        aContainer("app", "busybox", {
          command: ["sh", "-c", 'echo "mode=$MODE"; sleep 3600'],
          env: [{ name: "MODE", value: "", valueFrom: { configMapKeyRef: { name: "settings", key: "mode" } } }],
        }),
      )
      .build();
    await rt.syncPod(pod);
    await eventually(() => expect(containerStatus(rt, pod, "app").state?.waiting).toEqual({ reason: "CreateContainerConfigError", message: 'configmap "settings" not found' }));
    expect(events.filter((e) => e.reason === "Failed").map((e) => [e.type, e.message])).toEqual([["Warning", 'Error: configmap "settings" not found']]);

    configMaps.set("settings", ConfigMap.fromPartial({ metadata: { name: "settings" }, data: { mode: "fast" } }));
    rt.configObjectsChanged("default");
    // Well before the 10 s retry: the change itself starts it.
    await eventually(() => expect(containerStatus(rt, pod, "app").state?.running).toBeDefined(), { timeoutMs: 5_000 });
    const log = await eventually(async () => {
      const text = await readAll(rt.logs(uid(pod), "app", { follow: false }));
      expect(text).toContain("mode=");
      return text;
    });
    expect(log.trim()).toBe("mode=fast");
  });
});
