const HEADER_BYTES = 12;
const POINTER = 0xc0;
const MAX_POINTER_OFFSET = 0x3fff;

/**
 * dns-packet writes every name in full. Answers repeat the question's name (a headless service with
 * sixty pods repeats it sixty times), so this rewrites each record's owner name that was already written
 * as a question or owner name into a two-byte pointer to it (RFC 1035 4.1.4). Names inside RDATA are
 * left as they are, which is always legal. Meant for messages dns-packet has just encoded.
 */
export function compressOwnerNames(message: Buffer): Buffer {
  const counts = [4, 6, 8, 10].map((at) => message.readUInt16BE(at));
  const [questions = 0, ...recordCounts] = counts;
  const records = recordCounts.reduce((sum, n) => sum + n, 0);
  const seen = new Map<string, number>();
  const parts: Buffer[] = [message.subarray(0, HEADER_BYTES)];
  let written = HEADER_BYTES;
  let offset = HEADER_BYTES;

  const takeName = (): void => {
    const end = endOfUncompressedName(message, offset);
    const wire = message.subarray(offset, end);
    const key = wire.toString("latin1");
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      const pointer = Buffer.alloc(2);
      pointer.writeUInt16BE((POINTER << 8) | earlier);
      parts.push(pointer);
      written += 2;
    } else {
      if (written <= MAX_POINTER_OFFSET && wire.length > 2) seen.set(key, written);
      parts.push(wire);
      written += wire.length;
    }
    offset = end;
  };
  const copy = (length: number): void => {
    parts.push(message.subarray(offset, offset + length));
    written += length;
    offset += length;
  };

  for (let i = 0; i < questions; i++) {
    takeName();
    copy(4);
  }
  for (let i = 0; i < records; i++) {
    takeName();
    const rdataLength = message.readUInt16BE(offset + 8);
    copy(10 + rdataLength);
  }
  copy(message.length - offset);
  return Buffer.concat(parts, written);
}

function endOfUncompressedName(message: Buffer, start: number): number {
  let offset = start;
  for (;;) {
    const length = message[offset];
    if (length === undefined || length >= POINTER) throw new Error(`not an uncompressed name at offset ${start}`);
    offset += 1 + length;
    if (length === 0) return offset;
  }
}
