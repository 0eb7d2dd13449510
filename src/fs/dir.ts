/**
 * Directory backend of the filesystem view: one fast-glob walk of the tree
 * (links not followed), then an lstat index. Errors while walking (EACCES,
 * names the host cannot stat) become diagnostics, and the walk goes on.
 */
import * as fs from "node:fs";
import { constants } from "node:fs";
import { promises as fsp } from "node:fs";
import { join } from "node:path";
import fg from "fast-glob";
import { FsView, type ContentSource, type Entry, type EntryType } from "./view.js";

type Problem = { path: string; error: NodeJS.ErrnoException };

function entryType(st: fs.Stats): EntryType {
  if (st.isFile()) return "file";
  if (st.isDirectory()) return "dir";
  if (st.isSymbolicLink()) return "symlink";
  return "other";
}

/** A fast-glob fs adapter that records directory and stat errors instead of aborting. */
function recordingFs(problems: Problem[]) {
  const wrap =
    <A extends unknown[]>(fn: (...args: A) => void) =>
    (...args: A) => {
      const cb = args[args.length - 1] as (err: NodeJS.ErrnoException | null, v?: unknown) => void;
      const path = String(args[0]);
      const rest = args.slice(0, -1);
      (fn as (...a: unknown[]) => void)(...rest, (err: NodeJS.ErrnoException | null, v?: unknown) => {
        if (err) {
          problems.push({ path, error: err });
          // An unreadable directory is listed as empty; a failed lstat drops the entry.
          if (fn === (fs.readdir as unknown)) return cb(null, []);
        }
        cb(err, v);
      });
    };
  return {
    readdir: wrap(fs.readdir as (...a: unknown[]) => void),
    lstat: wrap(fs.lstat as (...a: unknown[]) => void),
    stat: wrap(fs.stat as (...a: unknown[]) => void),
  };
}

class DirContent implements ContentSource {
  constructor(private readonly root: string) {}

  async read(path: string, entry: Entry): Promise<Buffer> {
    // O_NOFOLLOW and O_NONBLOCK: a file swapped for a link or a FIFO since the walk is not followed or waited on.
    const handle = await fsp.open(join(this.root, path), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      const st = await handle.stat();
      if (!st.isFile()) throw Object.assign(new Error("not a regular file"), { code: "ENOTREG" });
      const size = Math.min(st.size, Math.max(entry.size, 0) || st.size);
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
  const found = await fg("**", {
    cwd: root,
    dot: true,
    onlyFiles: false,
    followSymbolicLinks: false,
    stats: true,
    suppressErrors: true,
    throwErrorOnBrokenSymbolicLink: false,
    fs: recordingFs(problems) as unknown as fg.FileSystemAdapter,
  });
  const entries: Entry[] = [];
  const links: Entry[] = [];
  for (const f of found) {
    if (!f.stats) continue;
    const e: Entry = { path: "/" + f.path, type: entryType(f.stats), size: f.stats.size, mode: f.stats.mode & 0o7777 };
    entries.push(e);
    if (e.type === "symlink") links.push(e);
  }
  await Promise.all(
    links.map(async (e) => {
      try {
        e.target = await fsp.readlink(join(root, e.path));
      } catch (err) {
        problems.push({ path: join(root, e.path), error: err as NodeJS.ErrnoException });
      }
    }),
  );
  const view = new FsView(root, entries, new DirContent(root));
  for (const p of problems) {
    const rel = p.path.startsWith(root) ? p.path.slice(root.length) || "/" : p.path;
    const code = (p.error.code ?? "error").toLowerCase();
    const what = code === "eacces" ? "permission denied: not scanned" : p.error.message;
    view.diagnose(rel.startsWith("/") ? rel : "/" + rel, code, what);
  }
  return view;
}
