import { describe, expect, it } from "vitest";
import { containerEnvironment, expandVariables } from "./container-env.js";
import { aContainer } from "./testing.js";

describe("expandVariables", () => {
  const vars: Record<string, string> = { A: "alpha", EMPTY: "" };
  it.each([
    { name: "plain text", input: "no vars", want: "no vars" },
    { name: "a defined variable", input: "x-$(A)-y", want: "x-alpha-y" },
    { name: "an empty variable", input: "[$(EMPTY)]", want: "[]" },
    { name: "an undefined variable stays", input: "$(NOPE)", want: "$(NOPE)" },
    { name: "escaped reference", input: "$$(A)", want: "$(A)" },
    { name: "$$ is one $", input: "echo $$", want: "echo $" },
    { name: "shell variables pass", input: "echo $HOME ${A}", want: "echo $HOME ${A}" },
    { name: "unterminated reference", input: "$(A", want: "$(A" },
    { name: "trailing $", input: "cost$", want: "cost$" },
  ])("$name", ({ input, want }) => {
    expect(expandVariables(input, (n) => vars[n])).toBe(want);
  });
});

describe("containerEnvironment", () => {
  it("adds the pod's identity and expands each value against the ones before it", () => {
    const env = containerEnvironment(
      aContainer("c", "busybox", {
        env: [
          { name: "URL", value: "http://$(POD_IP):8080" },
          { name: "SELF", value: "$(URL)/x" },
          { name: "PATH", value: "/opt/bin:$(PATH)" },
        ],
      }),
      { name: "web", namespace: "prod", podIP: "127.1.0.9", hostname: "web" },
    );
    expect(env).toMatchObject({
      POD_IP: "127.1.0.9",
      POD_NAME: "web",
      POD_NAMESPACE: "prod",
      HOSTNAME: "web",
      URL: "http://127.1.0.9:8080",
      SELF: "http://127.1.0.9:8080/x",
    });
    expect(env["PATH"]).toMatch(/^\/opt\/bin:\/usr\/local\/sbin:/);
  });
});
