import { watch, type FSWatcher } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { Readable } from "node:stream";

const chunkSize = 64 * 1024;
const newline = 0x0a;

/** Where the last `lines` lines of the file start, reading backwards from its end in chunks. */
export async function tailOffset(file: FileHandle, lines: number): Promise<number> {
  const { size } = await file.stat();
  if (lines <= 0) return size;
  const buf = Buffer.allocUnsafe(chunkSize);
  let end = size;
  let seen = 0;
  let first = true;
  while (end > 0) {
    const start = Math.max(0, end - chunkSize);
    const { bytesRead } = await file.read(buf, 0, end - start, start);
    for (let i = bytesRead - 1; i >= 0; i--) {
      if (buf[i] !== newline) continue;
      // The newline that ends the file terminates the last line; it does not start one.
      if (first && start + i === size - 1) continue;
      if (++seen === lines) return start + i + 1;
    }
    first = false;
    end = start;
  }
  return 0;
}

/**
 * A container log as a byte stream: from `tailLines` before the end (or the start), then, when following,
 * whatever is appended, read on each inotify change (`fs.watch`). `switchTo` continues with the next
 * instance's file once the current one is drained; `finish` drains and ends (the pod is gone).
 */
export class LogStream extends Readable {
  private file: FileHandle | undefined;
  private watcher: FSWatcher | undefined;
  private position = 0;
  private pumping = false;
  private pumpAgain = false;
  private wanted = false;
  private nextPath: string | undefined;
  private finishing = false;
  private readonly buffer = Buffer.allocUnsafe(chunkSize);

  constructor(
    private path: string,
    private readonly opts: { follow: boolean; tailLines?: number; onClose?: () => void },
  ) {
    super();
  }

  /** Continue with another file after this one (the container restarted). */
  switchTo(path: string): void {
    this.nextPath = path;
    this.pump();
  }

  /** Stop following: send what is left and end. */
  finish(): void {
    this.finishing = true;
    this.pump();
  }

  override _construct(callback: (error?: Error | null) => void): void {
    this.openFile(true).then(() => callback(), callback);
  }

  override _read(): void {
    this.wanted = true;
    this.pump();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.opts.onClose?.();
    const file = this.file;
    this.file = undefined;
    if (!file) return callback(error);
    file.close().then(
      () => callback(error),
      () => callback(error),
    );
  }

  private async openFile(initial: boolean): Promise<void> {
    this.watcher?.close();
    await this.file?.close();
    this.file = await open(this.path, "r");
    this.position = initial && this.opts.tailLines !== undefined ? await tailOffset(this.file, this.opts.tailLines) : 0;
    if (this.opts.follow) {
      this.watcher = watch(this.path, { persistent: false }, () => this.pump());
      this.watcher.on("error", (e) => this.destroy(e));
    }
  }

  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    if (!this.wanted || this.destroyed || !this.file) return;
    this.pumping = true;
    this.drain().then(
      () => {
        this.pumping = false;
        if (this.pumpAgain) {
          this.pumpAgain = false;
          this.pump();
        }
      },
      (e: unknown) => {
        this.pumping = false;
        this.destroy(e as Error);
      },
    );
  }

  /** Reads until end of file or back-pressure; at end of file decides whether to switch, end or wait. */
  private async drain(): Promise<void> {
    for (;;) {
      const file = this.file;
      if (!file || this.destroyed) return;
      const { bytesRead } = await file.read(this.buffer, 0, chunkSize, this.position);
      if (bytesRead > 0) {
        this.position += bytesRead;
        // A copy of just what was read: the read buffer is reused, a follower wakes up for a line at a time.
        if (!this.push(Buffer.from(this.buffer.subarray(0, bytesRead)))) {
          this.wanted = false;
          return;
        }
        continue;
      }
      if (this.nextPath !== undefined) {
        this.path = this.nextPath;
        this.nextPath = undefined;
        await this.openFile(false);
        continue;
      }
      if (!this.opts.follow || this.finishing) {
        this.wanted = false;
        this.push(null);
      }
      return;
    }
  }
}
