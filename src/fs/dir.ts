/**
 * Directory backend of the filesystem view: one walk of the tree (links not
 * followed), level by level, building an lstat index.
 *
 * The walk and the reads are synchronous: a scan's main thread has nothing
 * else to do meanwhile, and a system call answered at once costs far less
 * than a round trip through the event loop and libuv's thread pool.
 *
 * Names are read as bytes, so a name that is not valid UTF-8 is neither lost
 * nor merged with another: it is shown byte for byte as Latin-1 (like file
 * contents, see `decode`) and the host path keeps the original bytes. Errors
 * while walking (EACCES, paths longer than the host allows) become
 * diagnostics naming the entry, and the walk goes on.
 */
import type { Dirent, Stats } from "node:fs";
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readlinkSync, readSync } from "node:fs";
import { decodeName, HEAD_BYTES, type ContentSource, type Entry, type EntryType, FsView } from "./view.js";

type Problem = { path: string; error: NodeJS.ErrnoException };

/**
 * A directory still to be listed: its path in the view and on the host.
 * `host` is a string when the view path spells the host path exactly in
 * UTF-8 (almost always), the original bytes otherwise.
 */
interface Pending {
  path: string;
  host: string | Buffer;
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

/**
 * Reads regular files by their host path: the root joined with the view
 * path, or the bytes recorded during the walk for the few names that are
 * not UTF-8.
 */
class DirContent implements ContentSource {
  constructor(
    private readonly root: string,
    private readonly files: ReadonlySet<string>,
    private readonly bytePaths: ReadonlyMap<string, Buffer>,
  ) {}

  async read(path: string, entry: Entry, stop?: (head: Buffer) => boolean): Promise<Buffer> {
    return this.readSync(path, entry, stop);
  }

  readSync(path: string, entry: Entry, stop?: (head: Buffer) => boolean): Buffer {
    const host = this.bytePaths.get(path) ?? (this.files.has(path) ? this.root + path : undefined);
    if (host === undefined) throw Object.assign(new Error("not in the index of the scanned root"), { code: "ENOENT" });
    // O_NOFOLLOW and O_NONBLOCK: a file swapped for a link or a FIFO since the walk is not followed or waited on.
    let fd: number;
    try {
      fd = openSync(host, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (err) {
      throw withoutHostPath(err as NodeJS.ErrnoException);
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw Object.assign(new Error("not a regular file"), { code: "ENOTREG" });
      // Never more than the walk saw (and FsView checked against the size cap).
      const size = Math.min(st.size, entry.size);
      const buf = Buffer.allocUnsafe(size);
      let off = 0;
      // The first bytes alone, when they may be all that is needed (a binary, another language).
      const first = stop && size > HEAD_BYTES ? HEAD_BYTES : size;
      while (off < first) {
        const n = readSync(fd, buf, off, first - off, off);
        if (n === 0) return buf.subarray(0, off);
        off += n;
      }
      if (off < size && stop?.(buf.subarray(0, off))) return buf.subarray(0, off);
      while (off < size) {
        const n = readSync(fd, buf, off, size - off, off);
        if (n === 0) break;
        off += n;
      }
      return buf.subarray(0, off);
    } finally {
      closeSync(fd);
    }
  }
}

export interface WalkHooks {
  /** Called once, during the walk, when the tree has `largeAt` entries: a large tree (the scan may start its parse workers). */
  onLarge?: () => void;
  largeAt?: number;
}

/** Builds the view of a directory tree. */
export async function openDirectory(root: string, hooks: WalkHooks = {}): Promise<FsView> {
  const problems: Problem[] = [];
  const notUtf8: string[] = [];
  const entries: Entry[] = [];
  const files = new Set<string>();
  const bytePaths = new Map<string, Buffer>();

  /** Lists one directory; adds its subdirectories to `next`. */
  const visit = (dir: Pending, next: Pending[]): void => {
    let list: Dirent[] | Dirent<Buffer>[];
    try {
      list = typeof dir.host === "string" ? readdirSync(dir.host, { withFileTypes: true }) : readdirSync(dir.host, { withFileTypes: true, encoding: "buffer" });
      // Names as text are exact only when they are valid UTF-8 (else U+FFFD stands in) and start with no BOM (which decodeName drops): otherwise, bytes.
      if (typeof dir.host === "string" && (list as Dirent[]).some((d) => d.name.includes("\uFFFD") || d.name.startsWith("\uFEFF"))) {
        list = readdirSync(dir.host, { withFileTypes: true, encoding: "buffer" });
      }
    } catch (err) {
      // Nothing at all can be read: an error of the target, not a note.
      if (dir.path === "/") throw withoutHostPath(err as NodeJS.ErrnoException);
      problems.push({ path: dir.path, error: err as NodeJS.ErrnoException });
      return;
    }
    const prefix = dir.path === "/" ? "/" : dir.path + "/";
    for (const d of list) {
      const raw = d.name;
      let text: string;
      let host: string | Buffer;
      if (typeof raw === "string") {
        text = raw;
        host = (dir.host as string) + "/" + raw;
      } else {
        const name = decodeName(raw);
        text = name.text;
        if (!name.utf8) notUtf8.push(prefix + text);
        host =
          typeof dir.host === "string" && name.utf8 && Buffer.byteLength(text) === raw.length ? dir.host + "/" + text : Buffer.concat([typeof dir.host === "string" ? Buffer.from(dir.host) : dir.host, SLASH, raw]);
      }
      const path = prefix + text;
      let e: Entry;
      if (d.isSymbolicLink()) {
        // A link needs no lstat: its size is the length of its target, its mode always 0777 (Linux).
        try {
          const target = readlinkSync(host, { encoding: "buffer" });
          e = { path, type: "symlink", size: target.length, mode: 0o777, target: decodeName(target).text };
        } catch (err) {
          // As when lstat then readlink were called: a link that lstat cannot see is no entry; otherwise an entry without a target.
          let st: Stats;
          try {
            st = lstatSync(host);
          } catch (lstatErr) {
            problems.push({ path, error: lstatErr as NodeJS.ErrnoException });
            continue;
          }
          problems.push({ path, error: err as NodeJS.ErrnoException });
          e = { path, type: entryType(st), size: st.size, mode: st.mode & 0o7777 };
        }
      } else {
        let st: Stats;
        try {
          st = lstatSync(host);
        } catch (err) {
          problems.push({ path, error: err as NodeJS.ErrnoException });
          continue;
        }
        e = { path, type: entryType(st), size: st.size, mode: st.mode & 0o7777 };
        if (e.type === "symlink") {
          try {
            e.target = decodeName(readlinkSync(host, { encoding: "buffer" })).text;
          } catch (err) {
            problems.push({ path, error: err as NodeJS.ErrnoException });
          }
        }
      }
      if (e.type === "file") {
        if (typeof host === "string") {
          files.add(path);
          bytePaths.delete(path);
        } else bytePaths.set(path, host);
      }
      if (e.type === "dir") next.push({ path, host });
      entries.push(e);
    }
  };

  // Breadth first, one level at a time: no recursion, so a tree thousands of levels deep cannot overflow the stack.
  let level: Pending[] = [{ path: "/", host: root }];
  while (level.length > 0) {
    const next: Pending[] = [];
    for (const dir of level) {
      visit(dir, next);
      if (hooks.onLarge && entries.length >= (hooks.largeAt ?? 0)) {
        hooks.onLarge();
        hooks = {};
      }
    }
    level = next;
  }

  const view = new FsView(root, entries, new DirContent(root, files, bytePaths), true);
  // Diagnostics in a stable order, whatever order the host lists names in.
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
