/**
 * Tar backend of the filesystem view: reads a tar archive (plain, or
 * compressed with gzip, xz or zstd) straight from the file, without
 * extracting anything to disk.
 *
 * One streaming pass indexes every member (type, size, mode, link target)
 * and keeps the bytes of the small text files only: regular files up to
 * {@link KEEP_BYTES} that are not binary. Those are the scripts and
 * configuration that rorlint reads, so a scan rarely needs more. Any other
 * regular file that is asked for is read by a second pass that stops at
 * that member. For the 250 MB Debian 12 tree, about 10 MB is kept.
 *
 * Member names are made safe: a leading "/" and ".." that would climb above
 * the archive root are normalised inside the root, with a diagnostic. Hard
 * links map to the entry they link to. A truncated or corrupt archive keeps
 * the members read before the damage, with a diagnostic naming the member.
 */
import { createReadStream, promises as fsp } from "node:fs";
import * as tar from "tar-stream";
import { decompress, explainStreamError, MAGIC_BYTES, sniffCompression, type Compression } from "./compression.js";
import { climbsAboveRoot, decodeName, FsView, isBinary, MAX_FILE_BYTES, normalize, type ContentSource, type EntryInit } from "./view.js";

/** Regular files up to this size are kept in memory by the indexing pass (unless binary). */
export const KEEP_BYTES = 256 * 1024;
/** Bytes looked at to tell a binary file, as in {@link isBinary}. */
const SNIFF_BYTES = 8192;

/** A byte range of a file on disk: a whole tarball, or one member of a .deb. */
export interface FileRange {
  file: string;
  start: number;
  size: number;
}

/** A problem found while indexing, to become a diagnostic of the view. */
export interface ArchiveProblem {
  path: string;
  code: string;
  message: string;
}

export interface TarIndex {
  /** Entries by path (the last member of a path wins, as when extracting). */
  entries: Map<string, EntryInit>;
  content: ContentSource;
  problems: ArchiveProblem[];
}

/** A regular file member: where it is in the archive, and its bytes if the indexing pass kept them. */
interface FileMember {
  ordinal: number;
  size: number;
  bytes?: Buffer;
}

type Visitor = (header: tar.Header, data: AsyncIterable<Buffer>, ordinal: number) => Promise<"next" | "stop">;

/** Reads up to `limit` bytes of a member's data, and always consumes the rest. */
async function readPrefix(data: AsyncIterable<Buffer>, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of data) {
    if (length >= limit) continue;
    const part = chunk.subarray(0, limit - length);
    chunks.push(part);
    length += part.length;
  }
  return Buffer.concat(chunks, length);
}

const drain = (data: AsyncIterable<Buffer>) => readPrefix(data, 0);

/** The members of a tar archive in a file range, read as a stream, as often as needed. */
class TarStream {
  constructor(
    private readonly range: FileRange,
    private readonly compression: Exclude<Compression, "bzip2">,
  ) {}

  static async open(range: FileRange): Promise<TarStream> {
    if (range.size === 0) throw new Error("empty archive");
    const handle = await fsp.open(range.file, "r");
    let compression: Compression;
    try {
      const head = Buffer.alloc(Math.min(MAGIC_BYTES, range.size));
      await handle.read(head, 0, head.length, range.start);
      compression = sniffCompression(head);
    } finally {
      await handle.close();
    }
    if (compression === "bzip2") throw new Error("bzip2 compression is not supported: decompress the archive first (bunzip2)");
    return new TarStream(range, compression);
  }

  /** One pass over the members, in order. `visit` consumes each member's data, or stops the pass. */
  async pass(visit: Visitor): Promise<void> {
    const raw = createReadStream(this.range.file, { start: this.range.start, end: this.range.start + this.range.size - 1 });
    const input = decompress(raw, this.compression);
    try {
      // Names are decoded byte for byte here, then as UTF-8 where valid (see pathField).
      // (tar-stream's own typings omit its `filenameEncoding` option.)
      const extract = tar.extract({ filenameEncoding: "latin1" } as Parameters<typeof tar.extract>[0]);
      // A broken input (truncated, corrupt) ends the tar stream rather than destroying it, so that the
      // members decompressed before the damage are still read; the input's error is the one reported.
      let inputError: Error | undefined;
      input.on("error", (err) => {
        inputError ??= err;
        extract.end(undefined); // (streamx types want an argument)
      });
      input.pipe(extract);
      let ordinal = 0;
      try {
        for await (const entry of extract) {
          if ((await visit(entry.header, entry as AsyncIterable<Buffer>, ordinal++)) === "stop") return;
        }
      } catch (err) {
        throw inputError ?? err;
      }
      if (inputError) throw inputError;
    } finally {
      // A pass stopped early must end its decompressor too: xz-decompress decodes one stream
      // at a time per process, and waits for the current one to be finished or cancelled.
      input.destroy();
      raw.destroy();
    }
  }
}

/** A header field holding a path: from a pax header (already Unicode), or raw bytes decoded like names on disk. */
function pathField(header: tar.Header, field: "name" | "linkname", paxKey: "path" | "linkpath"): { text: string; utf8: boolean } {
  const value = header[field] ?? "";
  const pax = header.pax as Record<string, string> | null | undefined;
  if (pax?.[paxKey] !== undefined) return { text: value, utf8: true };
  return decodeName(Buffer.from(value, "latin1"));
}

/** Indexes a tar archive (one pass); see the module comment. */
export async function indexTar(range: FileRange): Promise<TarIndex> {
  const stream = await TarStream.open(range);
  const entries = new Map<string, EntryInit>();
  const files = new Map<string, FileMember>();
  const problems: ArchiveProblem[] = [];
  /** The member being read, and the last one read whole: where damage is reported. */
  let current: string | undefined;
  let previous: string | undefined;

  const visit: Visitor = async (header, data, ordinal) => {
    const name = pathField(header, "name", "path");
    const path = normalize(name.text);
    current = path;
    if (!name.utf8) problems.push({ path, code: "name-not-utf8", message: "name is not valid UTF-8: shown with each byte as one Latin-1 character" });
    if (name.text.startsWith("/")) {
      problems.push({ path, code: "unsafe-member-name", message: `member name "${name.text}" is absolute: read as ${path}, inside the root` });
    } else if (climbsAboveRoot("/", name.text)) {
      problems.push({ path, code: "unsafe-member-name", message: `member name "${name.text}" climbs out of the archive: read as ${path}, inside the root` });
    }
    const mode = (header.mode ?? 0) & 0o7777;
    const size = header.size ?? 0;
    const set = (entry: EntryInit, file?: FileMember) => {
      entries.set(path, entry);
      if (file) files.set(path, file);
      else files.delete(path);
    };
    switch (header.type) {
      case "file":
      case "contiguous-file": {
        const file: FileMember = { ordinal, size };
        const entry: EntryInit = { path, type: "file", size, mode };
        if (size <= KEEP_BYTES) {
          const bytes = await readPrefix(data, size);
          if (isBinary(bytes)) entry.binary = true;
          else file.bytes = bytes;
        } else if (size <= MAX_FILE_BYTES && isBinary(await readPrefix(data, SNIFF_BYTES))) {
          entry.binary = true;
        }
        set(entry, file);
        break;
      }
      case "link": {
        // A hard link is the member it links to, under another name.
        const target = normalize(pathField(header, "linkname", "linkpath").text);
        const linked = entries.get(target);
        if (linked) set({ ...linked, path }, files.get(target));
        else problems.push({ path, code: "hardlink-target-missing", message: `hard link to ${target}, which is not an earlier member: skipped` });
        break;
      }
      case "symlink":
        set({ path, type: "symlink", size: 0, mode, target: pathField(header, "linkname", "linkpath").text });
        break;
      case "directory":
        set({ path, type: "dir", size: 0, mode });
        break;
      case "character-device":
      case "block-device":
      case "fifo":
        set({ path, type: "other", size: 0, mode });
        break;
      default:
        problems.push({ path, code: "unsupported-member", message: "tar member of an unsupported type (e.g. GNU sparse): not read" });
    }
    // Whatever was not read is skipped, so that the next member comes.
    await drain(data);
    previous = path;
    current = undefined;
    return "next";
  };

  try {
    await stream.pass(visit);
  } catch (err) {
    const { truncated, message } = explainStreamError(err as Error);
    const what = truncated ? "truncated" : "corrupt";
    if (current !== undefined) {
      entries.delete(current);
      files.delete(current);
    }
    if (entries.size === 0) {
      throw new Error(`${what} archive (${message})${current !== undefined ? ` inside its first member, ${current}` : ""}: nothing could be read`);
    }
    if (current !== undefined) {
      problems.push({ path: current, code: `archive-${what}`, message: `${what} archive (${message}) inside this member: it and any members after it are missing` });
    } else {
      problems.push({ path: previous!, code: `archive-${what}`, message: `${what} archive (${message}) after this member: any members after it are missing` });
    }
  }

  const content: ContentSource = {
    read: async (path) => {
      const file = files.get(path);
      if (!file) throw Object.assign(new Error("not a regular file of the archive"), { code: "ENOENT" });
      return file.bytes ?? (await readMember(stream, file));
    },
  };
  return { entries, content, problems };
}

/** The second pass: reads one member's bytes, stopping there. */
async function readMember(stream: TarStream, file: FileMember): Promise<Buffer> {
  let bytes: Buffer | undefined;
  await stream.pass(async (_header, data, ordinal) => {
    if (ordinal !== file.ordinal) {
      await drain(data);
      return "next";
    }
    bytes = await readPrefix(data, file.size);
    return "stop";
  });
  if (bytes === undefined) throw Object.assign(new Error("member not found on a second reading: the archive changed"), { code: "EIO" });
  return bytes;
}

/** Applies the problems of an index to its view, in archive order. */
export function reportProblems(view: FsView, problems: ArchiveProblem[]): void {
  for (const p of problems) view.diagnose(p.path, p.code, p.message);
}

/** Builds the view of a tarball (`.tar`, `.tar.gz`, `.tgz`, `.tar.xz`, `.tar.zst`). */
export async function openTarball(file: string): Promise<FsView> {
  const { size } = await fsp.stat(file);
  const index = await indexTar({ file, start: 0, size });
  const view = new FsView(file, index.entries.values(), index.content);
  reportProblems(view, index.problems);
  return view;
}
