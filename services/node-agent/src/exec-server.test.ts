import { describe, expect, it } from "vitest";
import { execTarget } from "./exec-server.js";

describe("execTarget", () => {
  it.each([
    {
      name: "a command with stdin and a terminal",
      url: "/exec/default/web/app?command=sh&command=-c&command=echo%20hi&input=1&tty=1&width=80&height=24",
      want: { verb: "exec", namespace: "default", name: "web", container: "app", opts: { command: ["sh", "-c", "echo hi"], stdin: true, tty: true, terminalSize: { width: 80, height: 24 } } },
    },
    {
      name: "neither stdin nor terminal",
      url: "/exec/ns/pod/c?command=true",
      want: { verb: "exec", namespace: "ns", name: "pod", container: "c", opts: { command: ["true"], stdin: false, tty: false } },
    },
    {
      name: "an attach",
      url: "/attach/ns/pod/c",
      want: { verb: "attach", namespace: "ns", name: "pod", container: "c", opts: { command: [], stdin: false, tty: false } },
    },
    { name: "an attach with a command", url: "/attach/ns/pod/c?command=true", want: undefined },
    { name: "no command", url: "/exec/ns/pod/c", want: undefined },
    { name: "no container", url: "/exec/ns/pod?command=true", want: undefined },
    { name: "another route", url: "/containerLogs/ns/pod/c?command=true", want: undefined },
    { name: "extra path segments", url: "/exec/ns/pod/c/x?command=true", want: undefined },
  ])("$name", ({ url, want }) => {
    expect(execTarget(new URL(url, "http://node"))).toEqual(want);
  });
});
