/** The Upgrade token of the node agent's exec connection; after the 101 answer, both sides send exec frames. */
export const EXEC_PROTOCOL = "capstan-exec";

/**
 * Exec messages on the node agent's upgraded kubelet connection, which has no message boundaries of its
 * own: each message is its 4-byte big-endian length, then its protobuf encoding (ExecRequest one way,
 * ExecResponse the other), so both hops of an exec speak the gateway's messages.
 */
export function execFrame(message: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(4 + message.length);
  frame.writeUInt32BE(message.length, 0);
  frame.set(message, 4);
  return frame;
}

/** The largest message a reader accepts: a longer length is a broken stream, not a message to wait for. */
export const MAX_EXEC_FRAME_BYTES = 16 * 1024 * 1024;

/** Splits a byte stream back into the messages execFrame wrote, however the stream chunked them. */
export class ExecFrameReader {
  private pending: Buffer = Buffer.alloc(0);

  /** The messages completed by `chunk`, in order; a partial one waits for the next chunk. Throws RangeError on a length over the limit. */
  push(chunk: Uint8Array): Uint8Array[] {
    this.pending = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    const messages: Uint8Array[] = [];
    while (this.pending.length >= 4) {
      const size = this.pending.readUInt32BE(0);
      if (size > MAX_EXEC_FRAME_BYTES) throw new RangeError(`an exec frame of ${size} bytes is over the limit of ${MAX_EXEC_FRAME_BYTES}`);
      if (this.pending.length < 4 + size) break;
      messages.push(this.pending.subarray(4, 4 + size));
      this.pending = this.pending.subarray(4 + size);
    }
    return messages;
  }
}
