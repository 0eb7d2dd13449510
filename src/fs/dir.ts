/**
 * Directory backend of the filesystem view: one walk of the tree (links not
 * followed), level by level, building the index (`tree.ts`).
 *
 * The walk and the reads are synchronous: a scan's main thread has nothing
 * else to do meanwhile, and a system call answered at once costs far less
 * than a round trip through the event loop and libuv's thread pool.
 *
 * The walk takes each entry's type from its directory listing and does not
 * lstat it: size and mode are read (lstat) when something needs them, the
 * size of a file before it is read for instance, and a link's target is read
 * at once (readlink). Listing a directory does not show that its entries can
 * be reached, though (a directory may be readable and not searchable), nor
 * that a path is within the host's limit: so one entry of each directory is
 * lstat'd, and every entry of a directory where that fails or whose paths
 * are long, as before; an entry that lstat cannot see is left out.
 *
 * Names are read as bytes, so a name that is not valid UTF-8 is neither lost
 * nor merged with another: it is shown byte for byte as Latin-1 (like file
 * contents, see `decode`) and the host path keeps the original bytes. Errors
 * while walking (EACCES, paths longer than the host allows) become
 * diagnostics naming the entry, and the walk goes on.
 */
import type { Dirent, Stats } from "node:fs";
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readlinkSync, readSync, statSync } from "node:fs";
import { ROOT, TreeBuilder, TreeIndex, type SharedIndex, type Stat } from "./tree.js";
import { decodeName, HEAD_BYTES, type ContentSource, type Entry, type EntryType, FsView, type Signature } from "./view.js";
import { Turns } from "../turns.js";

type Problem = { path: string; error: NodeJS.ErrnoException };

/**
 * A directory still to be listed: its number and path in the view, and its
 * path on the host. `host` is a string when the view path spells the host
 * path exactly in UTF-8 (almost always), the original bytes otherwise.
 */
interface Pending {
  id: number;
  path: string;
  host: string | Buffer;
}

/** One name of a listing, with what the walk found out about it. */
interface Listed {
  text: string;
  /** The name's bytes, when the text does not spell them exactly. */
  raw?: Buffer;
  type: EntryType;
  target?: string;
  stat?: Stat;
}

const SLASH = Buffer.from("/");
/**
 * Host paths from this long on (in bytes) are lstat'd while walking, so that
 * one beyond the host's limit (PATH_MAX: 4096 on Linux, 1024 on macOS) is
 * reported where it is, as ENAMETOOLONG.
 */
const LONG_PATH = 768;

function entryType(st: Stats): EntryType {
  if (st.isFile()) return "file";
  if (st.isDirectory()) return "dir";
  if (st.isSymbolicLink()) return "symlink";
  return "other";
}

function direntType(d: Dirent | Dirent<Buffer>): EntryType {
  if (d.isFile()) return "file";
  if (d.isDirectory()) return "dir";
  if (d.isSymbolicLink()) return "symlink";
  return "other";
}

const statOf = (st: Stats): Stat => ({ size: st.size, mode: st.mode & 0o7777 });

/** The error without the host path that Node puts in its message ("EACCES: permission denied, open '/…'"). */
function withoutHostPath(err: NodeJS.ErrnoException): NodeJS.ErrnoException {
  return Object.assign(new Error(err.message.replace(/, \w+ '.*'$/s, "")), { code: err.code });
}

const MESSAGES: Record<string, string> = {
  EACCES: "permission denied: not scanned",
  ENAMETOOLONG: "path longer than the host allows (PATH_MAX): nothing below it is scanned",
};

/**
 * The host path of an entry: the root joined with its path in the view, or
 * made of the bytes the walk kept for the few names that are not UTF-8.
 */
class HostPaths {
  /** Set once the walk has built it. */
  tree!: TreeIndex;

  constructor(
    readonly root: string,
    readonly byteNames: ReadonlyMap<number, Buffer>,
  ) {}

  /** Size and mode, when first needed: never following a link; a path the host no longer has is 0 and 0 (a read then reports it). */
  stat(id: number, path?: string): Stat | undefined {
    try {
      return statOf(lstatSync(this.of(id, path)));
    } catch {
      return undefined;
    }
  }

  /** (`path`, the entry's path in the view, when the caller has it.) */
  of(id: number, path?: string): string | Buffer {
    if (id === ROOT) return this.root;
    if (this.byteNames.size > 0) {
      const parts: Buffer[] = [];
      let bytes = false;
      for (let i = id; i !== ROOT; i = this.tree.parent(i)) {
        const raw = this.byteNames.get(i);
        if (raw) bytes = true;
        parts.push(raw ?? Buffer.from(this.tree.name(i)));
      }
      if (bytes) return Buffer.concat([Buffer.from(this.root), ...parts.reverse().flatMap((p) => [SLASH, p])]);
    }
    return this.root + (path ?? this.tree.path(id));
  }
}

/** Reads regular files of the index by their host path. */
class DirContent implements ContentSource {
  constructor(
    private readonly tree: TreeIndex,
    private readonly hosts: HostPaths,
  ) {}

  share(): SharedDirectory {
    return { root: this.hosts.root, index: this.tree.share(), byteNames: [...this.hosts.byteNames] };
  }

  async read(path: string, entry: Entry, stop?: (head: Buffer) => boolean, sign?: (s: Signature) => void): Promise<Buffer> {
    return this.readSync(path, entry, stop, sign);
  }

  readSync(path: string, entry: Entry, stop?: (head: Buffer) => boolean, sign?: (s: Signature) => void): Buffer {
    const id = this.tree.find(path);
    if (id < 0 || this.tree.type(id) !== "file") throw Object.assign(new Error("not in the index of the scanned root"), { code: "ENOENT" });
    const host = this.hosts.of(id);
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
      // (Taken before reading: a change while the file is read changes it after this.)
      if (sign) sign(signatureOf(st));
      // Never more than the view saw (and checked against the size cap).
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

/** A file's or directory's signature (see `Signature`) from its stat. */
export function signatureOf(st: Stats): Signature {
  return { ino: st.ino, size: st.size, ctime: st.ctimeMs, mtime: st.mtimeMs };
}

export interface WalkHooks {
  /** Called once, during the walk, when the tree has `largeAt` entries: a large tree (the scan may start its parse workers). */
  onLarge?: () => void;
  largeAt?: number;
  /** Take each directory's signature before listing it (`FsView.directorySignatures`): for the scan-result cache. */
  signatures?: boolean;
}

/** A directory view as plain data, for another thread (`FsView.share`). */
export interface SharedDirectory {
  root: string;
  index: SharedIndex;
  byteNames: [number, Uint8Array][];
}

/**
 * The view that `share` gave, in another thread: the same index, not walked
 * again. Its diagnostics are only those made from now on.
 */
export function openSharedDirectory(shared: SharedDirectory): FsView {
  const hosts = new HostPaths(shared.root, new Map(shared.byteNames.map(([id, raw]) => [id, Buffer.from(raw.buffer, raw.byteOffset, raw.length)])));
  const tree = (hosts.tree = TreeIndex.fromShared(shared.index, hosts));
  const view = new FsView(shared.root, tree, new DirContent(tree, hosts));
  view.diagnostics.length = 0;
  return view;
}

/** Builds the view of a directory tree. */
export async function openDirectory(root: string, hooks: WalkHooks = {}): Promise<FsView> {
  const problems: Problem[] = [];
  const notUtf8: string[] = [];
  const builder = new TreeBuilder(false);
  const byteNames = new Map<number, Buffer>();
  let signatures: [string, Signature][] | null = hooks.signatures ? [] : null;

  /** Lists one directory; adds its subdirectories to `next`. */
  const visit = (dir: Pending, next: Pending[]): void => {
    if (signatures) {
      // Before the listing: an entry added or removed while it is read changes the directory after this.
      if (typeof dir.host !== "string") signatures = null;
      else {
        try {
          // (The root as the scan was given it: a link to a directory is followed, as the listing does.)
          signatures.push(dir.path === "/" ? ["", signatureOf(statSync(dir.host))] : [dir.path, signatureOf(lstatSync(dir.host))]);
        } catch {
          signatures = null;
        }
      }
    }
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
    const hostBytes = typeof dir.host === "string" ? Buffer.byteLength(dir.host) : dir.host.length;
    const hostOf = (l: Listed): string | Buffer =>
      typeof dir.host === "string" && !l.raw ? dir.host + "/" + l.text : Buffer.concat([typeof dir.host === "string" ? Buffer.from(dir.host) : dir.host, SLASH, l.raw ?? Buffer.from(l.text)]);

    const listed: Listed[] = [];
    for (const d of list) {
      const raw = d.name;
      const l: Listed = { text: "", type: direntType(d) };
      if (typeof raw === "string") l.text = raw;
      else {
        const name = decodeName(raw);
        l.text = name.text;
        if (!name.utf8) notUtf8.push(prefix + l.text);
        if (!(name.utf8 && Buffer.byteLength(l.text) === raw.length)) l.raw = raw;
      }
      listed.push(l);
    }
    // Children are indexed in name order. (Sorting is stable: of two names that read the same, the one listed last wins, as when it overwrote the first.)
    listed.sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));

    // Whether lstat sees the entries (see the module comment): asked of one, or of each where it may not.
    const isLong = (l: Listed) => hostBytes + 1 + (l.raw ? l.raw.length : 3 * l.text.length) >= LONG_PATH;
    const probe = listed.find((l) => l.type !== "symlink" && !isLong(l));
    let each = false;
    if (probe) {
      try {
        lstatSync(hostOf(probe));
      } catch {
        each = true;
      }
    }

    builder.open(dir.id);
    for (let i = 0; i < listed.length; i++) {
      const l = listed[i]!;
      if (i + 1 < listed.length && listed[i + 1]!.text === l.text) continue;
      const path = prefix + l.text;
      // (Made only when needed: most entries are files that the walk does not touch.)
      let host: string | Buffer | undefined;
      if (l.type === "symlink") {
        host = hostOf(l);
        // A link needs no lstat: its size is the length of its target, its mode always 0777 (Linux), both read when asked for.
        try {
          l.target = decodeName(readlinkSync(host, { encoding: "buffer" })).text;
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
          l.type = entryType(st);
          l.stat = statOf(st);
        }
      } else if (each || isLong(l)) {
        host = hostOf(l);
        let st: Stats;
        try {
          st = lstatSync(host);
        } catch (err) {
          problems.push({ path, error: err as NodeJS.ErrnoException });
          continue;
        }
        l.type = entryType(st);
        l.stat = statOf(st);
        if (l.type === "symlink") {
          try {
            l.target = decodeName(readlinkSync(host, { encoding: "buffer" })).text;
          } catch (err) {
            problems.push({ path, error: err as NodeJS.ErrnoException });
          }
        }
      }
      const id = builder.add(l.text, l.type, l.target, l.stat);
      if (l.raw) byteNames.set(id, l.raw);
      if (l.type === "dir") next.push({ id, path, host: host ?? hostOf(l) });
    }
  };

  // Breadth first, one level at a time: no recursion, so a tree thousands of levels deep cannot overflow the stack.
  // (Directories are listed in the order they were numbered, as the index wants.)
  let level: Pending[] = [{ id: ROOT, path: "/", host: root }];
  // (What loads meanwhile, the grammar, moves on only when the event loop turns: see turns.ts.)
  const turns = new Turns();
  while (level.length > 0) {
    const next: Pending[] = [];
    for (const dir of level) {
      visit(dir, next);
      if (turns.due()) await turns.take();
      if (hooks.onLarge && builder.count - 1 >= (hooks.largeAt ?? 0)) {
        hooks.onLarge();
        hooks = {};
      }
    }
    level = next;
  }

  // (An object rather than a closure, which would keep everything this function's closures see, the builder too.)
  const hosts = new HostPaths(root, byteNames);
  const tree = (hosts.tree = builder.finish(hosts));
  const view = new FsView(root, tree, new DirContent(tree, hosts));
  view.directorySignatures = signatures;
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
