import { describe, expect, it } from "vitest";
import { ExecFrameReader, MAX_EXEC_FRAME_BYTES, execFrame } from "./exec-frames.js";
import { ExecResponse } from "./gen/capstan/v1/gateway.js";

const messages: ExecResponse[] = [
  { stdout: Buffer.from("hi\n") },
  { stderr: Buffer.from("") },
  { exit: { exitCode: 3, message: "" } },
];
const stream = Buffer.concat(messages.map((m) => execFrame(ExecResponse.encode(m).finish())));

describe("exec frames", () => {
  it.each([
    { name: "one chunk", chunks: [stream] },
    { name: "byte by byte", chunks: [...stream].map((b) => Buffer.from([b])) },
    { name: "split inside a length", chunks: [stream.subarray(0, 2), stream.subarray(2, 13), stream.subarray(13)] },
  ])("decodes the messages from $name", ({ chunks }) => {
    const reader = new ExecFrameReader();
    const decoded = chunks.flatMap((c) => reader.push(c)).map((m) => ExecResponse.decode(m));
    expect(decoded.map((m) => ({ stdout: m.stdout?.toString(), stderr: m.stderr?.toString(), exit: m.exit }))).toEqual([
      { stdout: "hi\n", stderr: undefined, exit: undefined },
      { stdout: undefined, stderr: "", exit: undefined },
      { stdout: undefined, stderr: undefined, exit: { exitCode: 3, message: "" } },
    ]);
  });

  it("refuses a length over the limit instead of waiting for it", () => {
    const header = Buffer.alloc(4);
    header.writeUInt32BE(MAX_EXEC_FRAME_BYTES + 1, 0);
    expect(() => new ExecFrameReader().push(header)).toThrow(RangeError);
  });
});
