/**
 * Directory backend of the filesystem view: one walk of the tree (links not
 * followed), level by level, building an lstat index.
 *
 * Names are read as bytes, so a name that is not valid UTF-8 is neither lost
 * nor merged with another: it is shown byte for byte as Latin-1 (like file
 * contents, see `decode`) and the host path keeps the original bytes. Errors
 * while walking (EACCES, paths longer than the host allows) become
 * diagnostics naming the entry, and the walk goes on.
 */
import type { Stats } from "node:fs";
import { constants, promises as fsp } from "node:fs";
import { decodeName, type ContentSource, type Entry, type EntryType, FsView } from "./view.js";

type Problem = { path: string; error: NodeJS.ErrnoException };

/** A directory still to be listed: its path in the view and on the host (bytes). */
interface Pending {
  path: string;
  host: Buffer;
}

const SLASH = Buffer.from("/");

function entryType(st: Stats): EntryType {
  if (st.isFile()) return "file";
  if (st.isDirectory()) return "dir";
  if (st.isSymbolicLink()) return "symlink";
  return "other";
}

/** The error without the host path that Node puts in its message ("EACCES: permission denied, open '/…'"). */
function withoutHostPath(err: NodeJS.ErrnoException): NodeJS.ErrnoException {
  return Object.assign(new Error(err.message.replace(/, \w+ '.*'$/s, "")), { code: err.code });
}

const MESSAGES: Record<string, string> = {
  EACCES: "permission denied: not scanned",
  ENAMETOOLONG: "path longer than the host allows (PATH_MAX): nothing below it is scanned",
};

/** Reads regular files by their host path, recorded during the walk. */
class DirContent implements ContentSource {
  constructor(private readonly hostPaths: Map<string, Buffer>) {}

  async read(path: string, entry: Entry): Promise<Buffer> {
    const host = this.hostPaths.get(path);
    if (!host) throw Object.assign(new Error("not in the index of the scanned root"), { code: "ENOENT" });
    // O_NOFOLLOW and O_NONBLOCK: a file swapped for a link or a FIFO since the walk is not followed or waited on.
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(host, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (err) {
      throw withoutHostPath(err as NodeJS.ErrnoException);
    }
    try {
      const st = await handle.stat();
      if (!st.isFile()) throw Object.assign(new Error("not a regular file"), { code: "ENOTREG" });
      // Never more than the walk saw (and FsView checked against the size cap).
      const size = Math.min(st.size, entry.size);
      const buf = Buffer.alloc(size);
      let off = 0;
      while (off < size) {
        const { bytesRead } = await handle.read(buf, off, size - off, off);
        if (bytesRead === 0) break;
        off += bytesRead;
      }
      return buf.subarray(0, off);
    } finally {
      await handle.close();
    }
  }
}

/** Builds the view of a directory tree. */
export async function openDirectory(root: string): Promise<FsView> {
  const problems: Problem[] = [];
  const notUtf8: string[] = [];
  const entries: Entry[] = [];
  const hostPaths = new Map<string, Buffer>();

  /** Lists one directory; returns its subdirectories. */
  const visit = async (dir: Pending): Promise<Pending[]> => {
    let names: Buffer[];
    try {
      names = await fsp.readdir(dir.host, { encoding: "buffer" });
    } catch (err) {
      // Nothing at all can be read: an error of the target, not a note.
      if (dir.path === "/") throw withoutHostPath(err as NodeJS.ErrnoException);
      problems.push({ path: dir.path, error: err as NodeJS.ErrnoException });
      return [];
    }
    const subdirs: Pending[] = [];
    await Promise.all(
      names.map(async (raw) => {
        const { text, utf8 } = decodeName(raw);
        const path = (dir.path === "/" ? "/" : dir.path + "/") + text;
        if (!utf8) notUtf8.push(path);
        const host = Buffer.concat([dir.host, SLASH, raw]);
        let st: Stats;
        try {
          st = await fsp.lstat(host);
        } catch (err) {
          problems.push({ path, error: err as NodeJS.ErrnoException });
          return;
        }
        const e: Entry = { path, type: entryType(st), size: st.size, mode: st.mode & 0o7777 };
        if (e.type === "symlink") {
          try {
            e.target = decodeName(await fsp.readlink(host, { encoding: "buffer" })).text;
          } catch (err) {
            problems.push({ path, error: err as NodeJS.ErrnoException });
          }
        }
        if (e.type === "file") hostPaths.set(path, host);
        if (e.type === "dir") subdirs.push({ path, host });
        entries.push(e);
      }),
    );
    return subdirs;
  };

  // Breadth first, one level at a time: no recursion, so a tree thousands of levels deep cannot overflow the stack.
  let level: Pending[] = [{ path: "/", host: Buffer.from(root) }];
  while (level.length > 0) level = (await Promise.all(level.map(visit))).flat();

  const view = new FsView(root, entries, new DirContent(hostPaths));
  // The walk runs in parallel: sort, so that diagnostics come out in a stable order.
  notUtf8.sort();
  problems.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const path of notUtf8) {
    view.diagnose(path, "name-not-utf8", "name is not valid UTF-8: shown with each byte as one Latin-1 character");
  }
  for (const p of problems) {
    const code = p.error.code ?? "EIO";
    view.diagnose(p.path, code.toLowerCase(), MESSAGES[code] ?? `${withoutHostPath(p.error).message}: not scanned`);
  }
  return view;
}
