import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LogStream, tailOffset } from "./container-logs.js";
import { eventually } from "./testing.js";

const dirs: string[] = [];
function fileWith(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), "capstan-logs-"));
  dirs.push(dir);
  const path = join(dir, "0.log");
  writeFileSync(path, content);
  return path;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function tail(content: string, lines: number): Promise<string> {
  const path = fileWith(content);
  const file = await open(path, "r");
  try {
    return content.slice(await tailOffset(file, lines));
  } finally {
    await file.close();
  }
}

describe("tailOffset", () => {
  const long = Array.from({ length: 20_000 }, (_, i) => `line ${i}`).join("\n") + "\n";
  it.each([
    { name: "last two lines", content: "a\nb\nc\n", lines: 2, want: "b\nc\n" },
    { name: "more lines than the file has", content: "a\nb\n", lines: 10, want: "a\nb\n" },
    { name: "zero lines", content: "a\nb\n", lines: 0, want: "" },
    { name: "an unterminated last line counts", content: "a\nb\nc", lines: 2, want: "b\nc" },
    { name: "empty file", content: "", lines: 3, want: "" },
    { name: "across read chunks", content: long, lines: 3, want: "line 19997\nline 19998\nline 19999\n" },
  ])("$name", async ({ content, lines, want }) => {
    expect(await tail(content, lines)).toBe(want);
  });
});

describe("LogStream", () => {
  it("reads to the end and stops without follow", async () => {
    const stream = new LogStream(fileWith("one\ntwo\n"), { follow: false });
    let text = "";
    for await (const chunk of stream) text += String(chunk);
    expect(text).toBe("one\ntwo\n");
  });

  it("follows appends, moves on to the next file, and ends on finish", async () => {
    const first = fileWith("old\nlast\n");
    const stream = new LogStream(first, { follow: true, tailLines: 1 });
    let text = "";
    stream.on("data", (chunk) => (text += String(chunk)));
    const ended = new Promise((resolve) => stream.on("end", resolve));
    await eventually(() => expect(text).toBe("last\n"));
    appendFileSync(first, "more\n");
    await eventually(() => expect(text).toBe("last\nmore\n"));

    const second = fileWith("next instance\n");
    stream.switchTo(second);
    await eventually(() => expect(text).toBe("last\nmore\nnext instance\n"));
    appendFileSync(second, "tail\n");
    stream.finish();
    await ended;
    expect(text).toBe("last\nmore\nnext instance\ntail\n");
  });
});
