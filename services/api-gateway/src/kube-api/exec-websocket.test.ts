import { describe, expect, it } from "vitest";
import { exitStatus } from "./exec-websocket.js";

describe("the Status an exec or attach ends with on channel 3", () => {
  it("is Success for an exit of 0", () => {
    expect(exitStatus({ verb: "exec", command: ["true"] }, { exitCode: 0, message: "" })).toEqual({ metadata: {}, status: "Success" });
  });

  it("carries a non-zero exit code as the ExitCode cause kubectl exits with", () => {
    expect(exitStatus({ verb: "exec", command: ["sh", "-c", "exit 3"] }, { exitCode: 3, message: "" })).toEqual({
      metadata: {},
      status: "Failure",
      message: "command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3",
      reason: "NonZeroExitCode",
      details: { causes: [{ reason: "ExitCode", message: "3" }] },
    });
  });

  it("says why a command killed by a signal ended, with its code", () => {
    const status = exitStatus({ verb: "exec", command: ["sleep", "9"] }, { exitCode: 137, message: "terminated by SIGKILL" });
    expect(status["message"]).toBe("command terminated with non-zero exit code: error executing command [sleep 9], terminated by SIGKILL, exit code 137");
    expect(status["details"]).toEqual({ causes: [{ reason: "ExitCode", message: "137" }] });
  });

  it("is Success when an attached container ends, whatever its code, as in Kubernetes", () => {
    expect(exitStatus({ verb: "attach", command: [] }, { exitCode: 1, message: "" })).toEqual({ metadata: {}, status: "Success" });
  });

  it("is an InternalError for a command that did not run", () => {
    expect(exitStatus({ verb: "exec", command: ["x"] }, { exitCode: 0, message: "the container is gone" })).toEqual({
      metadata: {},
      status: "Failure",
      message: "Internal error occurred: the container is gone",
      reason: "InternalError",
      code: 500,
    });
  });
});
