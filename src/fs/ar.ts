/**
 * A reader for the index of a Unix `ar` archive, the container of a `.deb`
 * (deb(5)). Only headers are read; members are then streamed from their
 * byte ranges in the file.
 *
 * The format: the magic "!<arch>\n", then for each member a 60-byte header
 *   name[16] mtime[12] uid[6] gid[6] mode[8] size[10] "`\n"
 * (ASCII, space padded; GNU ar ends names with "/") followed by `size`
 * bytes of data, padded with "\n" to an even offset.
 *
 * The npm packages for `ar` are unmaintained (single releases, years old),
 * so this small reader is rorlint's own.
 */
import { promises as fsp } from "node:fs";

export const AR_MAGIC = "!<arch>\n";
const HEADER_BYTES = 60;

export interface ArMember {
  name: string;
  /** Offset of the member's data in the file. */
  offset: number;
  /** Size of the data, from the header. */
  size: number;
  /** Bytes of the data actually present (less than `size` in a truncated file). */
  available: number;
}

export interface ArIndex {
  members: ArMember[];
  /** Why reading stopped before the end of the file, naming the member. */
  error?: { message: string; truncated: boolean };
}

/** Reads the member headers of an ar archive. Throws only when the file is not an ar archive at all. */
export async function readArIndex(file: string): Promise<ArIndex> {
  const handle = await fsp.open(file, "r");
  try {
    const fileSize = (await handle.stat()).size;
    const read = async (offset: number, length: number): Promise<Buffer> => {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buf, 0, length, offset);
      return buf.subarray(0, bytesRead);
    };
    if ((await read(0, AR_MAGIC.length)).toString("latin1") !== AR_MAGIC) throw new Error("not an ar archive (no \"!<arch>\" magic)");
    const members: ArMember[] = [];
    const last = () => (members.length > 0 ? `after member "${members.at(-1)!.name}"` : "before the first member");
    let offset = AR_MAGIC.length;
    while (offset < fileSize) {
      const header = await read(offset, HEADER_BYTES);
      if (header.length < HEADER_BYTES) return { members, error: { message: `truncated member header ${last()}`, truncated: true } };
      const field = (start: number, length: number) => header.toString("latin1", start, start + length).trimEnd();
      const name = field(0, 16).replace(/\/$/, "");
      const sizeText = field(48, 10);
      if (header.toString("latin1", 58, 60) !== "`\n" || !/^\d+$/.test(sizeText)) return { members, error: { message: `corrupt member header ${last()}`, truncated: false } };
      const size = Number(sizeText);
      const dataOffset = offset + HEADER_BYTES;
      const available = Math.min(size, fileSize - dataOffset);
      members.push({ name, offset: dataOffset, size, available });
      if (available < size) return { members, error: { message: `member "${name}" is truncated: ${available} of ${size} bytes present`, truncated: true } };
      offset = dataOffset + size + (size % 2);
    }
    return { members };
  } finally {
    await handle.close();
  }
}
