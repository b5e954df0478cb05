import { describe, expect, it } from "vitest";
import { probeText } from "./describe.js";

describe("probeText", () => {
  it.each([
    { name: "httpGet", probe: { httpGet: { path: "/healthz", port: 8080, scheme: "HTTP" } }, want: "http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3" },
    { name: "tcpSocket", probe: { tcpSocket: { port: "http" }, initialDelaySeconds: 5, periodSeconds: 2 }, want: "tcp-socket :http delay=5s timeout=1s period=2s #success=1 #failure=3" },
    { name: "exec", probe: { exec: { command: ["cat", "/ready"] }, failureThreshold: 30 }, want: "exec [cat /ready] delay=0s timeout=1s period=10s #success=1 #failure=30" },
  ])("$name", ({ probe, want }) => {
    expect(probeText(probe)).toBe(want);
  });
});
