import { describe, expect, it } from "vitest";
import { containerPath, execCommand, launchCommand, mountPointOf } from "./container-sandbox.js";

const mountinfo = [
  "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw",
  "22 27 0:21 / /proc rw,relatime - proc proc rw",
  "40 27 0:40 / /mnt/with\\040space rw - tmpfs tmpfs rw",
  "41 27 0:41 / /opt/node rw - ext4 /dev/vdb rw",
].join("\n");

describe("mountPointOf", () => {
  it.each([
    ["/usr/bin/node", "/"],
    ["/proc/self", "/proc"],
    ["/opt/node/bin/node", "/opt/node"],
    ["/opt/nodejs/bin/node", "/"],
    ["/mnt/with space/x", "/mnt/with space"],
  ])("%s is on %s", (path, want) => {
    expect(mountPointOf(path, mountinfo)).toBe(want);
  });
});

describe("containerPath", () => {
  it.each([
    ["/usr/share/nginx/html", "/usr/share/nginx/html"],
    ["/html/", "/html"],
    ["/../../etc", "/etc"],
    ["/a/./b/../c", "/a/c"],
  ])("%s → %s", (mountPath, want) => {
    expect(containerPath(mountPath)).toBe(want);
  });
});

describe("launchCommand", () => {
  const launch = {
    argv: ["/bin/sh", "-c", "echo hi"],
    workingDir: "/srv",
    hostname: "web",
    mounts: [{ source: "/state/v/html", target: "/html", readOnly: true }],
  };

  it("runs the process directly without a sandbox", () => {
    expect(launchCommand(launch, { mode: "none", reason: "test" })).toEqual({
      file: "/bin/sh",
      args: ["-c", "echo hi"],
      cwd: "/srv",
      reportsStart: false,
    });
  });

  it("wraps it in unshare with the rootfs, mounts and argv as arguments", () => {
    const cmd = launchCommand(
      { ...launch, rootfs: { upper: "/c/upper", work: "/c/work", merged: "/c/merged" } },
      { mode: "overlay", unshare: "/usr/bin/unshare" },
    );
    expect(cmd.file).toBe("/usr/bin/unshare");
    expect(cmd.args.slice(0, 5)).toEqual(["--mount", "--uts", "--propagation", "private", "/bin/sh"]);
    expect(cmd.args.slice(7, 13)).toEqual(["capstan-sandbox", "/c/merged", "/c/upper", "/c/work", "web", "/srv"]);
    expect(cmd.args.slice(14)).toEqual(["1", "/state/v/html", "/html", "ro", "--", "/bin/sh", "-c", "echo hi"]);
    expect(cmd.reportsStart).toBe(true);
  });
});

describe("execCommand", () => {
  const exec = { pid: 4242, argv: ["cat", "/tmp/ready"], workingDir: "/srv" };

  it("runs the command directly, from the working directory, without a sandbox", () => {
    expect(execCommand(exec, { mode: "none", reason: "test" })).toEqual({ file: "cat", args: ["/tmp/ready"], cwd: "/srv", reportsStart: false });
  });

  it("enters the container's mount and UTS namespaces and root with nsenter, then its working directory", () => {
    const cmd = execCommand(exec, { mode: "overlay", unshare: "/usr/bin/unshare", nsenter: "/usr/bin/nsenter" });
    expect(cmd.file).toBe("/usr/bin/nsenter");
    expect(cmd.args.slice(0, 9)).toEqual(["--target", "4242", "--mount", "--uts", "--root", "--wd", "/bin/sh", "-c", expect.stringContaining('cd "$1"')]);
    expect(cmd.args.slice(9)).toEqual(["capstan-exec", "/srv", "cat", "/tmp/ready"]);
  });

  it("needs a command", () => {
    expect(() => execCommand({ ...exec, argv: [] }, { mode: "none", reason: "test" })).toThrow(RangeError);
  });
});
