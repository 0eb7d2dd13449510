/**
 * The contained filesystem view: every path the scan looks at is resolved
 * inside the scanned root, as if chrooted into it.
 *
 * A view is an in-memory index of the tree's entries (type, size, link
 * target), built by one walk. Path resolution runs on that index only, so
 * it can never reach the host: absolute link targets are re-rooted, ".."
 * stops at the root, and link loops end after a fixed depth. File contents
 * are read only for regular files, through a {@link ContentSource} that the
 * backend (directory, archive) provides.
 */
import { createHash } from "node:crypto";
import type { Diagnostic } from "../types.js";

export type EntryType = "file" | "dir" | "symlink" | "other";

export interface Entry {
  /** Absolute path inside the root, e.g. "/etc/init.d/rc". The root itself is "/". */
  path: string;
  type: EntryType;
  size: number;
  /** Permission bits (st_mode & 0o7777). */
  mode: number;
  /** Link text, for symlinks. */
  target?: string;
  /**
   * Set by a backend that saw the bytes while indexing (an archive) and found
   * a binary file: it is refused without being read again.
   */
  binary?: boolean;
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
  read(path: string, entry: Entry, stop?: (head: Buffer) => boolean): Promise<Buffer>;
  /** The same, at once, for a source that can (a directory). */
  readSync?(path: string, entry: Entry, stop?: (head: Buffer) => boolean): Buffer;
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

/** One read of file contents: how many bytes and their digest, or the error. */
export type ReadRecord = { path: string; length: number; digest: string } | { path: string; error: string };

function digest(bytes: Buffer): string {
  return createHash("sha1").update(bytes).digest("base64");
}

function errorCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? "read-error";
}

export class FsView {
  readonly diagnostics: Diagnostic[] = [];
  private reads: ReadRecord[] | null = null;
  private readonly byPath = new Map<string, Entry>();
  private readonly childNames = new Map<string, string[]>();
  private readonly reported = new Set<string>();

  /**
   * @param label what was scanned, for messages (a directory or archive name)
   * @param owned the backend hands over entries it made for the view, with
   *   normalized paths, parents before children (a directory walk): they are
   *   kept as they are, not copied
   */
  constructor(
    readonly label: string,
    entries: Iterable<Entry>,
    private readonly content: ContentSource,
    owned = false,
  ) {
    this.byPath.set("/", { path: "/", type: "dir", size: 0, mode: 0o755 });
    for (const e of entries) this.add(e, owned);
    for (const e of this.byPath.values()) {
      if (e.type === "symlink" && e.target !== undefined && climbsAboveRoot(dirname(e.path), e.target)) {
        this.diagnose(e.path, "link-above-root", `relative link target "${e.target}" climbs above the root: ".." stops at the root, as in a chroot`);
      }
    }
  }

  /** Adds an entry, and the directories above it that the backend did not list (archives may omit them). */
  private add(e: Entry, owned: boolean): void {
    let path = owned ? e.path : normalize(e.path);
    if (path === "/") return;
    const isNew = !this.byPath.has(path);
    this.byPath.set(path, owned ? e : { ...e, path });
    if (!isNew) return;
    // A loop rather than recursion: a member can be thousands of directories deep.
    for (;;) {
      const parent = dirname(path);
      let list = this.childNames.get(parent);
      if (!list) this.childNames.set(parent, (list = []));
      list.push(basename(path));
      if (this.byPath.has(parent)) return;
      this.byPath.set(parent, { path: parent, type: "dir", size: 0, mode: 0o755 });
      path = parent;
    }
  }

  /** Adds a diagnostic once per (path, code). */
  diagnose(path: string, code: string, message: string): void {
    const key = `${path}\0${code}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.diagnostics.push({ path: relative(path), code, message });
  }

  /** lstat: the entry itself, never following a final link. */
  lstat(path: string): Entry | undefined {
    return this.byPath.get(normalize(path));
  }

  /** Names in a directory (after resolving the directory path). */
  list(dir: string): string[] {
    const r = this.resolve(dir);
    return r.entry?.type === "dir" ? [...(this.childNames.get(r.path) ?? [])].sort() : [];
  }

  entries(): IterableIterator<Entry> {
    return this.byPath.values();
  }

  readlink(path: string): string | undefined {
    return this.lstat(path)?.target;
  }

  /**
   * Resolves a path like realpath(3) inside a chroot. Missing components are
   * kept lexically, so "/var/log/foo/x" resolves even when foo does not exist.
   */
  resolve(path: string, followLast = true): Resolution {
    const via: string[] = [];
    let pending = normalize(path).split("/").filter(Boolean);
    let current: string[] = [];
    let depth = 0;
    while (pending.length > 0) {
      const part = pending.shift()!;
      if (part === ".") continue;
      if (part === "..") {
        current.pop();
        continue;
      }
      const candidate = "/" + [...current, part].join("/");
      const entry = this.byPath.get(candidate);
      const isLast = pending.length === 0;
      if (entry?.type === "symlink" && entry.target !== undefined && (followLast || !isLast)) {
        if (++depth > MAX_LINK_DEPTH) {
          return { path: candidate, via, error: `symlink loop (more than ${MAX_LINK_DEPTH} links) at /${relative(candidate)}` };
        }
        via.push(candidate);
        const targetParts = entry.target.split("/").filter(Boolean);
        if (entry.target.startsWith("/")) current = [];
        pending = [...targetParts, ...pending];
        continue;
      }
      current.push(part);
    }
    const resolved = "/" + current.join("/");
    return { path: resolved, entry: this.byPath.get(resolved), via };
  }

  /**
   * Reads a regular file as text. Links are resolved inside the root; FIFOs,
   * sockets and devices are never opened; large and binary files are refused.
   */
  async readText(path: string, options: ReadOptions = {}): Promise<TextResult> {
    const step = this.beginRead(path, options);
    if ("done" in step) return step.done;
    let bytes: Buffer;
    try {
      bytes = await this.content.read(step.path, step.entry, step.stop);
    } catch (err) {
      this.reads?.push({ path: step.path, error: errorCode(err) });
      return step.error(err);
    }
    this.reads?.push({ path: step.path, length: bytes.length, digest: digest(bytes) });
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
    try {
      bytes = readSync(step.path, step.entry, step.stop);
    } catch (err) {
      this.reads?.push({ path: step.path, error: errorCode(err) });
      return step.error(err);
    }
    this.reads?.push({ path: step.path, length: bytes.length, digest: digest(bytes) });
    return step.finish(bytes);
  }

  /**
   * Records every read of file contents from now on (what was read, and
   * its digest): what a scan's result depends on besides the index. See
   * `src/result-cache.ts`.
   */
  recordReads(): ReadRecord[] {
    return (this.reads = []);
  }

  /**
   * Whether reading the file again gives what the record says: the same
   * bytes (as many as were read then: a file read only up to its first
   * bytes is compared on those), or the same error. Only for a backend that
   * reads synchronously; false otherwise.
   */
  readsAgainAs(record: ReadRecord): boolean {
    const readSync = this.content.readSync?.bind(this.content);
    const entry = this.byPath.get(record.path);
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
   * A digest of the index: every entry (path, type, size, mode, link
   * target) and the notes the backend made while building it.
   */
  indexDigest(): string {
    const h = createHash("sha256");
    for (const path of [...this.byPath.keys()].sort()) {
      const e = this.byPath.get(path)!;
      h.update(`${path}\0${e.type}\0${e.size}\0${e.mode}\0${e.target ?? ""}\0${e.binary ? 1 : 0}\n`);
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
  if (target.startsWith("/")) return false;
  let depth = normalize(dir).split("/").filter(Boolean).length;
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
