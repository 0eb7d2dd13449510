/**
 * The contained filesystem view: every path the scan looks at is resolved
 * inside the scanned root, as if chrooted into it.
 *
 * A view is an in-memory index of the tree's entries (names, types, link
 * targets; see `tree.ts`), built by one walk. Path resolution runs on that
 * index only, so it can never reach the host: absolute link targets are
 * re-rooted, ".." stops at the root, and link loops end after a fixed
 * depth. File contents are read only for regular files, through a
 * {@link ContentSource} that the backend (directory, archive) provides.
 */
import { createRequire } from "node:module";
import type { Diagnostic } from "../types.js";
import { ROOT, TreeIndex, type EntryInit, type Stat } from "./tree.js";

export type { EntryInit } from "./tree.js";
export type EntryType = "file" | "dir" | "symlink" | "other";

/** An entry of the index, as lookups return it. */
export interface Entry {
  /** Absolute path inside the root, e.g. "/etc/init.d/rc". The root itself is "/". */
  readonly path: string;
  readonly type: EntryType;
  /** In the view of a directory tree, read from the host (lstat, never following a link) the first time it is asked for. */
  readonly size: number;
  /** Permission bits (st_mode & 0o7777); read like `size`. */
  readonly mode: number;
  /** Link text, for symlinks. */
  readonly target?: string | undefined;
  /** A binary file that an archive backend found while indexing: refused without being read again. */
  readonly binary?: boolean | undefined;
}

/**
 * An entry of a view's index, made when a lookup returns it: size and mode
 * are asked of the index only when used. (Plain fields rather than #private
 * ones: an iteration over a whole tree makes one per entry, and these are
 * made about twice as fast.)
 */
class IndexEntry implements Entry {
  constructor(
    private readonly tree: TreeIndex,
    private readonly id: number,
    readonly path: string,
    readonly type: EntryType,
  ) {}

  get size(): number {
    return this.tree.stat(this.id).size;
  }

  get mode(): number {
    return this.tree.stat(this.id).mode;
  }

  get target(): string | undefined {
    return this.type === "symlink" ? this.tree.target(this.id) : undefined;
  }

  get binary(): boolean | undefined {
    return this.tree.binary(this.id) || undefined;
  }

  /** The entry as data (not the index it points into). */
  toJSON(): Entry {
    const { path, type, size, mode, target, binary } = this;
    return { path, type, size, mode, ...(target !== undefined ? { target } : {}), ...(binary ? { binary } : {}) };
  }
}

/** Where a resolution ended. */
export interface Resolution {
  /** The resolved path inside the root (lexical when the tail does not exist). */
  path: string;
  /** The entry at that path, if it exists. */
  entry?: Entry;
  /** Symlinks followed on the way, in order (their own paths). */
  via: string[];
  /** Set when resolution failed (symlink loop). */
  error?: string;
}

export type TextResult =
  | { ok: true; path: string; text: string }
  | { ok: false; path: string; code: string; reason: string };

/**
 * Reads the bytes of a regular file that the index says exists.
 *
 * `stop`, when given, may be called with the first {@link HEAD_BYTES} bytes
 * of a larger file: when it returns true, those bytes alone are returned (a
 * binary, or a script in another language, is not read past its first bytes).
 * A source may ignore it and return the whole file.
 */
export interface ContentSource {
  /** `sign`, when given, is told the file's signature as it was when it was read (a directory's files only). */
  read(path: string, entry: Entry, stop?: (head: Buffer) => boolean, sign?: (s: Signature) => void): Promise<Buffer>;
  /** The same, at once, for a source that can (a directory). */
  readSync?(path: string, entry: Entry, stop?: (head: Buffer) => boolean, sign?: (s: Signature) => void): Buffer;
  /**
   * The view as plain data that can be sent to another thread, which opens
   * the same view from it (a directory: `openSharedDirectory`); undefined
   * for a source that cannot be shared (an archive read in memory).
   */
  share?(): object;
}

/**
 * What a reader looks at before deciding to read a file whole: as much as
 * {@link isBinary} looks at, so that the decision is the same either way.
 */
export const HEAD_BYTES = 8192;

export interface ReadOptions {
  /**
   * Given the first line of a file (when it is ASCII and whole within its
   * first bytes), whether the file is wanted: when false, the file is not
   * read further and the result is `{ ok: false, code: "not-wanted" }`.
   */
  accept?: (firstLine: string) => boolean;
}

/** Symlinks followed in one resolution before it is declared a loop (like Linux's MAXSYMLINKS). */
export const MAX_LINK_DEPTH = 40;
/** Files larger than this are not read. */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;

export function normalize(path: string): string {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return "/" + out.join("/");
}

export function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** "etc/x" for "/etc/x": the form used in findings. */
export function relative(path: string): string {
  return path.replace(/^\/+/, "");
}

/**
 * What the host says of a file or directory that changes whenever its
 * contents (a directory's entries) or its metadata change: inode, size,
 * change and modification times (milliseconds, with their fraction).
 */
export interface Signature {
  ino: number;
  size: number;
  ctime: number;
  mtime: number;
}

/**
 * One read of file contents (how many bytes and their digest, or the
 * error; and, from a directory, the file's signature when it was read), or
 * of an entry's size and mode.
 */
export type ReadRecord = { path: string; length: number; digest: string; sig?: Signature } | { path: string; error: string } | { path: string; stat: Stat };

let crypto: typeof import("node:crypto") | undefined;

/** A hash, from node:crypto loaded on first need (only the scan-result cache digests): loading it costs every start some 5 ms. */
function hash(algorithm: string): import("node:crypto").Hash {
  crypto ??= createRequire(import.meta.url)("node:crypto") as typeof import("node:crypto");
  return crypto.createHash(algorithm);
}

function digest(bytes: Buffer): string {
  return hash("sha1").update(bytes).digest("base64");
}

function errorCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? "read-error";
}

export class FsView {
  readonly diagnostics: Diagnostic[] = [];
  /**
   * The signature of every directory, taken before it was listed, in the
   * order of the walk, by host path relative to the root ("" for the root):
   * set by a directory walk that was asked for them, when every host path
   * is the view's path (names that are not UTF-8 make it null).
   */
  directorySignatures: [string, Signature][] | null = null;
  private reads: ReadRecord[] | null = null;
  private readonly tree: TreeIndex;
  private readonly reported = new Set<string>();

  /**
   * @param label what was scanned, for messages (a directory or archive name)
   * @param entries the index a backend built (a directory walk), or the
   *   entries to index (an archive's members: any order, the last entry for
   *   a path winning, missing parents implied)
   */
  constructor(
    readonly label: string,
    entries: TreeIndex | Iterable<EntryInit>,
    private readonly content: ContentSource,
  ) {
    if (entries instanceof TreeIndex) {
      this.tree = entries;
      for (const [id, target] of entries.links()) {
        // Only a target with ".." can climb: most links are looked at no further.
        if (target.includes("..") && climbsFrom(entries.depth(id) - 1, target)) this.diagnoseLink(entries.path(id), target);
      }
    } else {
      const { tree, links } = TreeIndex.of(entries, normalize);
      this.tree = tree;
      for (const l of links) if (climbsAboveRoot(dirname(l.path), l.target)) this.diagnoseLink(l.path, l.target);
    }
  }

  private diagnoseLink(path: string, target: string): void {
    this.diagnose(path, "link-above-root", `relative link target "${target}" climbs above the root: ".." stops at the root, as in a chroot`);
  }

  /** The view as plain data for another thread (see `ContentSource.share`), if its backend can share it. */
  share(): object | undefined {
    return this.content.share?.();
  }

  /** Adds a diagnostic once per (path, code). */
  diagnose(path: string, code: string, message: string): void {
    const key = `${path}\0${code}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.diagnostics.push({ path: relative(path), code, message });
  }

  /** Adds diagnostics made elsewhere (another thread's view of the same tree), each (path, code) once. */
  adoptDiagnostics(diagnostics: readonly Diagnostic[]): void {
    for (const d of diagnostics) {
      const key = `/${d.path}\0${d.code}`;
      if (this.reported.has(key)) continue;
      this.reported.add(key);
      this.diagnostics.push(d);
    }
  }

  private entryAt(id: number, path: string): Entry {
    return new IndexEntry(this.tree, id, path, this.tree.type(id));
  }

  /** lstat: the entry itself, never following a final link. */
  lstat(path: string): Entry | undefined {
    const p = normalize(path);
    const id = this.tree.find(p);
    return id < 0 ? undefined : this.entryAt(id, p);
  }

  /** Names in a directory (after resolving the directory path), sorted. */
  list(dir: string): string[] {
    const { id } = this.walk(dir, true);
    if (id < 0 || this.tree.type(id) !== "dir") return [];
    const names: string[] = [];
    for (let c = this.tree.firstChild(id), end = this.tree.firstChild(id + 1); c < end; c++) names.push(this.tree.name(c));
    return names;
  }

  /**
   * Every entry at or below `dir` (by its own path: no link is followed),
   * parents before children; all of them by default. The entries are made
   * as the iteration goes, so a caller that wants a part of a large tree
   * should ask for that part.
   */
  *entries(dir = "/"): IterableIterator<Entry> {
    const tree = this.tree;
    const top = normalize(dir);
    const first = tree.find(top);
    if (first < 0) return;
    yield this.entryAt(first, top);
    // Breadth first: the children of an entry are consecutive, so a level is a list of ranges.
    let level: { id: number; path: string }[] = [{ id: first, path: top }];
    while (level.length > 0) {
      const next: { id: number; path: string }[] = [];
      for (const { id, path } of level) {
        const prefix = path === "/" ? "/" : path + "/";
        for (let c = tree.firstChild(id), end = tree.firstChild(id + 1); c < end; c++) {
          const p = prefix + tree.name(c);
          yield this.entryAt(c, p);
          if (tree.firstChild(c + 1) > tree.firstChild(c)) next.push({ id: c, path: p });
        }
      }
      level = next;
    }
  }

  readlink(path: string): string | undefined {
    return this.lstat(path)?.target;
  }

  /**
   * Resolves a path like realpath(3) inside a chroot. Missing components are
   * kept lexically, so "/var/log/foo/x" resolves even when foo does not exist.
   */
  resolve(path: string, followLast = true): Resolution {
    const r = this.walk(path, followLast);
    if (r.error !== undefined) return { path: r.path, via: r.via, error: r.error };
    return { path: r.path, entry: r.id >= 0 ? this.entryAt(r.id, r.path) : undefined, via: r.via };
  }

  /** `resolve`, giving the entry's number (-1 when missing). */
  private walk(path: string, followLast: boolean): { path: string; id: number; via: string[]; error?: string } {
    const tree = this.tree;
    const via: string[] = [];
    // Components still to walk, the next one last.
    const pending = normalize(path).split("/").filter(Boolean).reverse();
    // The path so far, and the entry at each of its prefixes (-1 below a missing one).
    let current: string[] = [];
    let ids: number[] = [];
    let depth = 0;
    while (pending.length > 0) {
      const part = pending.pop()!;
      if (part === ".") continue;
      if (part === "..") {
        current.pop();
        ids.pop();
        continue;
      }
      const parent = ids.length === 0 ? ROOT : ids[ids.length - 1]!;
      const id = parent < 0 ? -1 : tree.child(parent, part);
      const isLast = pending.length === 0;
      const target = id >= 0 && tree.type(id) === "symlink" ? tree.target(id) : undefined;
      if (target !== undefined && (followLast || !isLast)) {
        const candidate = "/" + [...current, part].join("/");
        if (++depth > MAX_LINK_DEPTH) {
          return { path: candidate, id: -1, via, error: `symlink loop (more than ${MAX_LINK_DEPTH} links) at /${relative(candidate)}` };
        }
        via.push(candidate);
        if (target.startsWith("/")) {
          current = [];
          ids = [];
        }
        const targetParts = target.split("/").filter(Boolean);
        for (let i = targetParts.length - 1; i >= 0; i--) pending.push(targetParts[i]!);
        continue;
      }
      current.push(part);
      ids.push(id);
    }
    return { path: "/" + current.join("/"), id: ids.length === 0 ? ROOT : ids[ids.length - 1]!, via };
  }

  /**
   * Reads a regular file as text. Links are resolved inside the root; FIFOs,
   * sockets and devices are never opened; large and binary files are refused.
   */
  async readText(path: string, options: ReadOptions = {}): Promise<TextResult> {
    const step = this.beginRead(path, options);
    if ("done" in step) return step.done;
    let bytes: Buffer;
    let sig: Signature | undefined;
    try {
      bytes = await this.content.read(step.path, step.entry, step.stop, this.reads ? (s) => void (sig = s) : undefined);
    } catch (err) {
      this.reads?.push({ path: step.path, error: errorCode(err) });
      return step.error(err);
    }
    this.reads?.push({ path: step.path, length: bytes.length, digest: digest(bytes), ...(sig ? { sig } : {}) });
    return step.finish(bytes);
  }

  /**
   * `readText` without waiting, when the backend reads synchronously (a
   * directory); undefined otherwise.
   */
  readNow(path: string, options: ReadOptions = {}): TextResult | undefined {
    const readSync = this.content.readSync?.bind(this.content);
    if (!readSync) return undefined;
    const step = this.beginRead(path, options);
    if ("done" in step) return step.done;
    let bytes: Buffer;
    let sig: Signature | undefined;
    try {
      bytes = readSync(step.path, step.entry, step.stop, this.reads ? (s) => void (sig = s) : undefined);
    } catch (err) {
      this.reads?.push({ path: step.path, error: errorCode(err) });
      return step.error(err);
    }
    this.reads?.push({ path: step.path, length: bytes.length, digest: digest(bytes), ...(sig ? { sig } : {}) });
    return step.finish(bytes);
  }

  /**
   * Records every read of file contents from now on (what was read, and
   * its digest), and every entry whose size or mode something looked at
   * (a rule, the size check before a read): with the index, what a scan's
   * result depends on. See `src/result-cache.ts`.
   */
  recordReads(): ReadRecord[] {
    const reads: ReadRecord[] = (this.reads = []);
    const seen = new Set<number>();
    this.tree.onStat = (id, stat) => {
      if (seen.has(id)) return;
      seen.add(id);
      reads.push({ path: this.tree.path(id), stat: { size: stat.size, mode: stat.mode } });
    };
    return reads;
  }

  /**
   * Whether the tree still gives what the record says: for a read, the
   * same bytes (as many as were read then: a file read only up to its first
   * bytes is compared on those) or the same error; for a stat, the same
   * size and mode. Only for a backend that reads synchronously; false
   * otherwise.
   */
  readsAgainAs(record: ReadRecord): boolean {
    if ("stat" in record) {
      const id = this.tree.find(record.path);
      const now = id < 0 ? undefined : this.tree.statNow(id, record.path);
      return now !== undefined && now.size === record.stat.size && now.mode === record.stat.mode;
    }
    const readSync = this.content.readSync?.bind(this.content);
    const entry = this.lstat(record.path);
    if (!readSync || entry?.type !== "file") return false;
    let bytes: Buffer;
    try {
      bytes = readSync(record.path, entry, (head) => "length" in record && record.length <= head.length);
    } catch (err) {
      return "error" in record && record.error === errorCode(err);
    }
    return "length" in record && bytes.length === record.length && digest(bytes) === record.digest;
  }

  /**
   * A digest of the index: every entry (path, type, link target, whether a
   * backend found it binary) and the notes the backend made while building
   * it. Sizes and modes are not in it (a directory view would have to
   * lstat every entry): those that a scan looked at are among its reads.
   */
  indexDigest(): string {
    const tree = this.tree;
    const h = hash("sha256");
    // Depth first, children in name order: the same order for the same tree, whatever order the backend found it in.
    const stack: { id: number; path: string }[] = [{ id: ROOT, path: "/" }];
    while (stack.length > 0) {
      const { id, path } = stack.pop()!;
      const type = tree.type(id);
      h.update(`${path}\0${type}\0${type === "symlink" ? (tree.target(id) ?? "") : ""}\0${tree.binary(id) ? 1 : 0}\n`);
      const prefix = path === "/" ? "/" : path + "/";
      for (let c = tree.firstChild(id + 1) - 1; c >= tree.firstChild(id); c--) stack.push({ id: c, path: prefix + tree.name(c) });
    }
    h.update(JSON.stringify(this.diagnostics));
    return h.digest("hex");
  }

  /** The checks before a read (from the index alone), and what to make of the bytes. */
  private beginRead(
    path: string,
    options: ReadOptions,
  ): { done: TextResult } | { path: string; entry: Entry; stop: (head: Buffer) => boolean; finish: (bytes: Buffer) => TextResult; error: (err: unknown) => TextResult } {
    const r = this.resolve(path);
    const fail = (code: string, reason: string): TextResult => ({ ok: false, path: r.path, code, reason });
    if (r.error) return { done: fail("symlink-loop", r.error) };
    const e = r.entry;
    // A link whose own target is missing (not a missing file below a linked directory).
    const link = r.via.at(-1);
    if (!e && link !== undefined && this.resolve(link).path === r.path) {
      return { done: { ok: false, path: link, code: "dangling-link", reason: `link to ${r.path}, which does not exist in the scanned root` } };
    }
    if (!e) return { done: fail("missing", "no such file in the scanned root") };
    if (e.type === "dir") return { done: fail("not-a-file", "is a directory") };
    if (e.type !== "file") return { done: fail("not-a-file", "not a regular file (FIFO, socket or device): not opened") };
    if (e.size > MAX_FILE_BYTES) return { done: fail("too-large", `larger than ${MAX_FILE_BYTES / 1048576} MiB: skipped`) };
    if (e.binary) return { done: fail("binary", BINARY_REASON) };
    const accept = options.accept;
    // Decided by the first bytes alone: the same answer whether the source stopped there or read the whole file.
    const unwanted = accept
      ? (bytes: Buffer) => {
          const line = firstLine(bytes);
          return line !== null && !accept(line);
        }
      : undefined;
    return {
      path: r.path,
      entry: e,
      stop: (head) => isBinary(head) || unwanted?.(head) === true,
      finish: (bytes) => {
        if (isBinary(bytes)) return fail("binary", BINARY_REASON);
        if (unwanted?.(bytes)) return fail("not-wanted", "not what the reader looks for (its first line says so): not read further");
        return { ok: true, path: r.path, text: decode(bytes) };
      },
      error: (err) => {
        const code = (err as NodeJS.ErrnoException).code ?? "read-error";
        return fail(code.toLowerCase(), `cannot read: ${(err as Error).message.replace(/^[A-Z]+: /, "")}`);
      },
    };
  }
}

const BINARY_REASON = "binary file (NUL bytes or ELF): skipped";

/** Whether a relative path (a link target, an archive member name), read from `dir`, goes above the root with "..". */
export function climbsAboveRoot(dir: string, target: string): boolean {
  return climbsFrom(normalize(dir).split("/").filter(Boolean).length, target);
}

/** The same, read from a directory `depth` levels below the root. */
function climbsFrom(depth: number, target: string): boolean {
  if (target.startsWith("/")) return false;
  for (const part of target.split("/")) {
    if (part === "..") {
      if (depth === 0) return true;
      depth--;
    } else if (part !== "" && part !== ".") depth++;
  }
  return false;
}

/** The first line of a file, when it is ASCII and ends within its first {@link HEAD_BYTES} bytes; otherwise null. */
function firstLine(bytes: Buffer): string | null {
  const end = bytes.subarray(0, HEAD_BYTES).indexOf(0x0a);
  if (end < 0) return null;
  for (let i = 0; i < end; i++) if (bytes[i]! >= 0x80) return null;
  return bytes.toString("latin1", 0, end);
}

/** Whether the bytes are those of a binary file: an ELF header, or a NUL byte in the first 8 KiB. */
export function isBinary(bytes: Buffer): boolean {
  if (bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46) return true;
  return bytes.subarray(0, HEAD_BYTES).includes(0);
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const latin1 = new TextDecoder("latin1");

/**
 * Decodes a file or link name from its bytes the way file contents are
 * decoded: UTF-8 when valid, otherwise each byte as one Latin-1 character,
 * so that distinct names stay distinct.
 */
export function decodeName(bytes: Uint8Array): { text: string; utf8: boolean } {
  try {
    return { text: utf8.decode(bytes), utf8: true };
  } catch {
    return { text: latin1.decode(bytes), utf8: false };
  }
}

/**
 * Decodes file bytes. Invalid UTF-8 falls back to Latin-1, which maps every
 * byte to one character, so line breaks stay where they were.
 */
export function decode(bytes: Buffer): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return latin1.decode(bytes);
  }
}
