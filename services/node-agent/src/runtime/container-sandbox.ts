import { spawnSync } from "node:child_process";
import { accessSync, constants, mkdirSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { join, posix } from "node:path";

/**
 * How a container is isolated from the host.
 *
 * `overlay`: a private mount namespace (`unshare --mount --uts --propagation private`) whose root is an
 * overlayfs with the host's `/` as the read-only lower layer and a per-container upper layer under the
 * state dir; /dev and /sys are the host's, /proc is fresh, /tmp is a private tmpfs; volumes are bind-mounted
 * at their mountPath, and the process is `chroot`ed into it. Writes to the root (mount points included)
 * land in the upper layer, never on the host; the namespace, and every mount in it, disappears with the
 * container's last process. Needs root, util-linux `unshare`, and overlayfs over `/`.
 *
 * `none`: the process runs directly on the host; containers with volumeMounts cannot run.
 */

/** Own mount and UTS namespaces, mounts kept private: what a container and the start-up probe of it both run in. */
const UNSHARE_NAMESPACES = ["--mount", "--uts", "--propagation", "private"];
export type SandboxMode = "overlay" | "none";

export type Sandbox = { mode: "overlay"; unshare: string; nsenter?: string } | { mode: "none"; reason: string };

export interface BindMount {
  source: string;
  /** Absolute, normalised path inside the container. */
  target: string;
  readOnly: boolean;
}

export interface OverlayRootfs {
  upper: string;
  work: string;
  merged: string;
}

export interface ContainerLaunch {
  argv: string[];
  /** Inside the container; "" means the image default, `/`. */
  workingDir: string;
  hostname: string;
  mounts: BindMount[];
  /** Present in `overlay` mode. */
  rootfs?: OverlayRootfs;
}

/** What to spawn; `reportsStart` means fd 3 is a pipe that closes at exec, or carries the reason it could not start. */
export interface LaunchCommand {
  file: string;
  args: string[];
  cwd?: string;
  reportsStart: boolean;
}

/** Runs in the new mount namespace, before the chroot. Errors go to fd 3 and exit 128 (a start error). */
const setupScript = `
fail() { printf '%s\\n' "$*" >&3; exit 128; }
# The container's PATH may be anything; the set-up uses the host's tools, then puts it back for the exec.
__cs_path=\${PATH-}
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
__cs_root=$1 __cs_upper=$2 __cs_work=$3 __cs_host=$4 __cs_wd=$5 __cs_init=$6 __cs_n=$7
shift 7
mount -t overlay overlay -o "lowerdir=/,upperdir=$__cs_upper,workdir=$__cs_work" "$__cs_root" 2>&3 || fail "cannot mount the container root filesystem"
{ mount --rbind /dev "$__cs_root/dev" && mount -t proc proc "$__cs_root/proc" && mount --rbind /sys "$__cs_root/sys" &&
  mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$__cs_root/tmp"; } 2>&3 || fail "cannot mount /dev, /proc, /sys and /tmp in the container"
while [ "$__cs_n" -gt 0 ]; do
  __cs_src=$1 __cs_dst=$2 __cs_mode=$3
  shift 3
  __cs_n=$((__cs_n - 1))
  # Mount points are created from inside the chroot, so no path or symlink can make them on the host.
  if [ -d "$__cs_src" ]; then
    chroot "$__cs_root" /bin/mkdir -p "$__cs_dst"
  else
    chroot "$__cs_root" /bin/sh -c 'mkdir -p "$(dirname "$1")" && touch "$1"' - "$__cs_dst"
  fi 2>&3 || fail "cannot create the mount point $__cs_dst"
  mount --bind "$__cs_src" "$__cs_root$__cs_dst" 2>&3 || fail "cannot mount $__cs_src at $__cs_dst"
  if [ "$__cs_mode" = ro ]; then
    mount -o remount,bind,ro "$__cs_root$__cs_dst" 2>&3 || fail "cannot make $__cs_dst read-only"
  fi
done
shift
hostname "$__cs_host" 2>/dev/null
__cs_chroot=$(command -v chroot) || fail "chroot not found on the host"
PATH=$__cs_path
exec "$__cs_chroot" "$__cs_root" /bin/sh -c "$__cs_init" capstan-container "$__cs_wd" "$@"
`;

/** Runs inside the chroot: the working directory and the executable are checked before exec, like runc does. */
const initScript = `
__cs_wd=$1
shift
/bin/mkdir -p "$__cs_wd" 2>/dev/null
cd "$__cs_wd" 2>/dev/null || { printf 'chdir to cwd ("%s") set in config.json failed: no such file or directory\\n' "$__cs_wd" >&3; exit 128; }
case $1 in
  */*) [ -f "$1" ] && [ -x "$1" ] ;;
  *) command -v "$1" >/dev/null 2>&1 ;;
esac || { printf 'exec: "%s": executable file not found in $PATH\\n' "$1" >&3; exit 128; }
exec 3>&-
exec "$@"
`;

export function launchCommand(launch: ContainerLaunch, sandbox: Sandbox): LaunchCommand {
  const [file, ...args] = launch.argv;
  if (file === undefined) throw new RangeError("a container needs something to run");
  if (sandbox.mode === "none" || !launch.rootfs) {
    return { file, args, ...(launch.workingDir ? { cwd: launch.workingDir } : {}), reportsStart: false };
  }
  const { upper, work, merged } = launch.rootfs;
  const mounts = launch.mounts.flatMap((m) => [m.source, m.target, m.readOnly ? "ro" : "rw"]);
  return {
    file: sandbox.unshare,
    args: [
      ...UNSHARE_NAMESPACES,
      "/bin/sh",
      "-c",
      setupScript,
      "capstan-sandbox",
      merged,
      upper,
      work,
      launch.hostname,
      launch.workingDir || "/",
      initScript,
      String(launch.mounts.length),
      ...mounts,
      "--",
      ...launch.argv,
    ],
    reportsStart: true,
  };
}

/** A command to run inside a running container (an exec probe), next to its main process `pid`. */
export interface ContainerExec {
  pid: number;
  argv: string[];
  /** Inside the container; "" means `/`. */
  workingDir: string;
}

/** Runs inside the container's root: the working directory first, then the command. */
const execInitScript = `cd "$1" || exit 126
shift
exec "$@"`;

/**
 * How to run a command inside a running container, as `kubectl exec` does: in `overlay` mode `nsenter`
 * joins the mount and UTS namespaces of the container's main process, its root (the overlay it chrooted
 * into) and its working directory (the agent's own does not exist there), so the command sees the
 * container's files, volumes and private /tmp; in `none` mode it runs on the host like the container.
 */
export function execCommand(exec: ContainerExec, sandbox: Sandbox): LaunchCommand {
  const [file, ...args] = exec.argv;
  if (file === undefined) throw new RangeError("exec needs a command");
  if (sandbox.mode === "none") {
    return { file, args, ...(exec.workingDir ? { cwd: exec.workingDir } : {}), reportsStart: false };
  }
  const nsenter = sandbox.nsenter ?? findExecutable("nsenter");
  if (!nsenter) throw new Error("util-linux nsenter is not installed: cannot exec in a sandboxed container");
  return {
    file: nsenter,
    args: ["--target", String(exec.pid), "--mount", "--uts", "--root", "--wd", "/bin/sh", "-c", execInitScript, "capstan-exec", exec.workingDir || "/", ...exec.argv],
    reportsStart: false,
  };
}

/** A mountPath as the sandbox uses it: absolute and normalised, so `..` cannot climb out of the root. */
export function containerPath(mountPath: string): string {
  return posix.resolve("/", mountPath);
}

/** Whether overlay sandboxes work here: root, `unshare`, and an overlayfs over `/` with its upper layer in `stateDir`. */
export function probeSandbox(stateDir: string): Sandbox {
  if (process.platform !== "linux") return { mode: "none", reason: `mount namespaces need Linux, not ${process.platform}` };
  if (process.getuid?.() !== 0) return { mode: "none", reason: "mount namespaces need root" };
  const unshare = findExecutable("unshare");
  if (!unshare) return { mode: "none", reason: "util-linux unshare is not installed" };
  const dir = join(stateDir, "sandbox-probe");
  try {
    for (const sub of ["upper", "work", "merged"]) mkdirSync(join(dir, sub), { recursive: true });
    const result = spawnSync(
      unshare,
      [
        ...UNSHARE_NAMESPACES,
        "/bin/sh",
        "-c",
        'mount -t overlay overlay -o "lowerdir=/,upperdir=$1/upper,workdir=$1/work" "$1/merged" && test -x "$1/merged/bin/sh"',
        "probe",
        dir,
      ],
      { encoding: "utf8", stdio: ["ignore", "ignore", "pipe"], timeout: 10_000 },
    );
    if (result.status === 0) {
      const nsenter = findExecutable("nsenter");
      return { mode: "overlay", unshare, ...(nsenter ? { nsenter } : {}) };
    }
    const detail = result.error?.message ?? (result.stderr.trim() || `exit status ${result.status}`);
    return { mode: "none", reason: `overlayfs over / with its upper layer in ${stateDir} does not work here (${detail})` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function findExecutable(name: string): string | undefined {
  for (const dir of (process.env["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** The mount point that holds `path`, from /proc/self/mountinfo (field 5, octal-escaped). */
export function mountPointOf(path: string, mountinfo: string): string {
  let best = "/";
  for (const mountPoint of mountPoints(mountinfo)) {
    const within = mountPoint === "/" || path === mountPoint || path.startsWith(mountPoint + "/");
    if (within && mountPoint.length > best.length) best = mountPoint;
  }
  return best;
}

/** Mount points of this mount namespace at or below `dir`. */
export function mountPointsUnder(dir: string): string[] {
  let mountinfo: string;
  try {
    mountinfo = readFileSync("/proc/self/mountinfo", "utf8");
  } catch {
    return [];
  }
  return mountPoints(mountinfo).filter((m) => m === dir || m.startsWith(dir + "/"));
}

function mountPoints(mountinfo: string): string[] {
  const out: string[] = [];
  for (const line of mountinfo.split("\n")) {
    const field = line.split(" ")[4];
    if (field) out.push(field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8))));
  }
  return out;
}

/** Directories the container's root replaces or leaves empty. */
const replacedDirs = ["/tmp", "/dev", "/proc", "/sys", "/run"];

/**
 * Host paths that the overlay root would not show (on another filesystem than `/`, or under a directory
 * the sandbox replaces) and so must be bind-mounted, read-only, at the same path.
 */
export function hostPathsToBind(paths: readonly string[]): BindMount[] {
  let mountinfo = "";
  try {
    mountinfo = readFileSync("/proc/self/mountinfo", "utf8");
  } catch {
    return [];
  }
  const binds: BindMount[] = [];
  for (const p of paths) {
    const real = realpathSync(p);
    const hidden = mountPointOf(real, mountinfo) !== "/" || replacedDirs.some((d) => real === d || real.startsWith(d + "/"));
    if (hidden && !binds.some((b) => b.source === real)) binds.push({ source: real, target: real, readOnly: true });
  }
  return binds;
}
