/**
 * The scan-result cache (`rorlint scan --cache`): a whole scan's result,
 * reused when nothing it depends on has changed.
 *
 * A scan is a function of rorlint's code, its options, the index of the tree
 * (every entry's path, type and link target), the sizes and modes it looked
 * at and the bytes it read: nothing else reaches it (see ARCHITECTURE.md,
 * "Nothing outside the root is read"). So an entry keeps, besides the
 * result, the digest of the index and a record of every read (path, length,
 * digest of the bytes, or the error) and of every size and mode looked at;
 * a re-scan walks the tree (it must, to see changes), compares the index,
 * reads those files again (only as far as they were read), looks at those
 * sizes and modes again and, when all is the same, returns the stored
 * result without parsing, modelling or checking anything. (A size or mode
 * that nothing looked at cannot change the result: the walk does not read
 * them, and the digest does not either, which spares an lstat of every
 * entry.)
 *
 * Most re-scans need not even walk (`quickLookup`): the entry also keeps
 * the signature (inode, size, change and modification times) of every
 * directory, taken before it was listed, and of every file read, taken as
 * it was read. A directory's times change whenever an entry is added,
 * removed, renamed or replaced in it, a file's whenever it is written, and
 * either's change time whenever its mode changes; and a change time cannot
 * be set back (short of setting the system clock back). So when the host gives the same signatures (and the same sizes
 * and modes looked at), the index and the bytes are the same, as git
 * decides from its index which files to look at again. A signature whose
 * times are within RACY_MS of the scan's start is not trusted, and then the
 * next re-scan walks.
 *
 * Entries live beside the AST cache (`cache.ts`), under
 * `<dir>/scan-<salt>/`, written atomically, bounded with it, and ignored
 * when damaged. Only directory targets are cached.
 */
import { createHash } from "node:crypto";
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deserialize, serialize } from "node:v8";
import { VERSION } from "./version.js";
import { builtDigest } from "./built.js";
import type { FsView, ReadRecord, Signature } from "./fs/view.js";
import { signatureOf } from "./fs/dir.js";
import type { ScanResult } from "./scan.js";

const MAGIC = Buffer.from("RORSCAN1\n");
const DIGEST = 20;

/** What a cache entry holds. */
interface Stored {
  index: string;
  reads: ReadRecord[];
  result: Omit<ScanResult, "facts">;
  /** For a check without a walk (`quickLookup`): the directories' signatures, when every signature taken was settled (see RACY_MS). */
  directories: [string, Signature][] | null;
}

/**
 * A signature whose change time is this close to the scan's start, or
 * later, is not trusted: a filesystem keeps times to a second or two at
 * worst (and a change made within the same tick as the one recorded would
 * not show). Such an entry is checked by a walk, like any other.
 */
const RACY_MS = 2000;

export interface ResultCacheStats {
  hits: number;
  /** Hits found without a walk (`quickLookup`). */
  quick: number;
  misses: number;
  writes: number;
  corrupt: number;
  failed: number;
}

let codeSaltOnce: string | undefined;

/**
 * rorlint's code, by content: every compiled module (or source, when run
 * from the sources) and the package manifest. Any change to the code makes
 * every stored result stale.
 */
export function codeSalt(): string {
  if (codeSaltOnce) return codeSaltOnce;
  const built = builtDigest("scanning");
  if (built) return (codeSaltOnce = built);
  const here = fileURLToPath(import.meta.url);
  const ext = here.slice(here.lastIndexOf("."));
  const base = dirname(dirname(here)); // dist/ (or the project, from the sources)
  const h = createHash("sha256").update(`rorlint ${VERSION}\0`);
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, d.name);
      if (d.isDirectory()) walk(p);
      else if (d.name.endsWith(ext)) files.push(p);
    }
  };
  for (const top of ["src", "rules"]) walk(join(base, top));
  for (const f of files.sort()) h.update(f.slice(base.length)).update("\0").update(readFileSync(f));
  return (codeSaltOnce = h.digest("hex").slice(0, 16));
}

export class ResultCache {
  readonly stats: ResultCacheStats = { hits: 0, quick: 0, misses: 0, writes: 0, corrupt: 0, failed: 0 };
  private readonly dir: string;

  /** @param racyMs see RACY_MS (tests, whose trees are made just before they are scanned, set 0) */
  constructor(
    readonly root: string,
    private readonly racyMs = RACY_MS,
  ) {
    this.dir = join(root, `scan-${codeSalt()}`);
  }

  /**
   * The stored result of a scan of the directory `host` under one of `keys`,
   * found without walking the tree: when the entry has the signatures of
   * every directory (which change whenever an entry is added, removed,
   * renamed or replaced in them, or their own mode changes) and of every
   * file the scan read, and the host gives the same for each, and the sizes
   * and modes looked at are the same. The directories are checked in the
   * order of the walk, so that a component that changed (a directory
   * replaced by a link) stops the check before anything below it is looked
   * at. Nothing is opened: only lstat. Anything else is left to `lookup`.
   */
  quickLookup(keys: readonly string[], host: string): { key: string; result: Omit<ScanResult, "facts"> } | null {
    for (const key of keys) {
      const stored = this.load(this.fileOf(key));
      if (!stored?.directories) continue;
      const same = (path: string, sig: Signature, kind: "dir" | "file") => {
        try {
          const st = path === "" ? statSync(host) : lstatSync(host + path);
          if (kind === "dir" ? !st.isDirectory() : !st.isFile()) return false;
          const now = signatureOf(st);
          return now.ino === sig.ino && now.size === sig.size && now.ctime === sig.ctime && now.mtime === sig.mtime;
        } catch {
          return false;
        }
      };
      const unchanged =
        stored.directories.every(([path, sig]) => same(path, sig, "dir")) &&
        stored.reads.every((r) => {
          if ("sig" in r && r.sig) return same(r.path, r.sig, "file");
          if ("stat" in r) {
            try {
              const st = lstatSync(host + r.path);
              return st.size === r.stat.size && (st.mode & 0o7777) === r.stat.mode;
            } catch {
              return false;
            }
          }
          return false; // a read that failed, or without a signature: a walk will tell
        });
      if (!unchanged) continue;
      this.stats.hits++;
      this.stats.quick++;
      return { key, result: stored.result };
    }
    return null;
  }

  /** The file of a scan: by target and options (`key`, which the caller builds from everything it passes to the scan). */
  private fileOf(key: string): string {
    return join(this.dir, createHash("sha256").update(key).digest("hex"));
  }

  /**
   * The stored result of the scan `key` of `view` (fresh from the walk,
   * with its `index` digest), when the index is the same and every file it
   * read reads the same again.
   */
  lookup(key: string, view: FsView, index: string): Omit<ScanResult, "facts"> | null {
    const stored = this.load(this.fileOf(key));
    if (!stored || stored.index !== index || !stored.reads.every((r) => view.readsAgainAs(r))) {
      this.stats.misses++;
      return null;
    }
    this.stats.hits++;
    return stored.result;
  }

  /**
   * Stores a scan's result (call before anything changes the result's
   * objects). `directories`: the signatures of the walk (see
   * `FsView.directorySignatures`); `started`: when the scan started (ms).
   */
  store(key: string, index: string, reads: ReadRecord[], result: ScanResult, directories: [string, Signature][] | null = null, started = Date.now()): void {
    const { facts: _facts, ...rest } = result;
    // Signatures too close to the scan's start are not trusted (RACY_MS): then the next re-scan walks.
    const settled = started - this.racyMs;
    const sigs = [...(directories ?? []).map(([, sig]) => sig), ...reads.flatMap((r) => ("sig" in r && r.sig ? [r.sig] : []))];
    const quick = directories !== null && sigs.every((sig) => sig.ctime < settled && sig.mtime < settled);
    const stored: Stored = { index, reads, result: rest, directories: quick ? directories : null };
    const file = this.fileOf(key);
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      const payload = serialize(stored);
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(tmp, Buffer.concat([MAGIC, createHash("sha1").update(payload).digest(), payload]));
      renameSync(tmp, file);
      this.stats.writes++;
    } catch {
      this.stats.failed++;
      rmSync(tmp, { force: true });
    }
  }

  private load(file: string): Stored | null {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch {
      return null;
    }
    const payload = bytes.subarray(MAGIC.length + DIGEST);
    try {
      if (!bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error("not an entry");
      if (!createHash("sha1").update(payload).digest().equals(bytes.subarray(MAGIC.length, MAGIC.length + DIGEST))) throw new Error("damaged");
      const stored = deserialize(payload) as Stored;
      if (typeof stored?.index !== "string" || !Array.isArray(stored.reads) || !Array.isArray(stored.result?.findings) || !(stored.directories === null || Array.isArray(stored.directories))) throw new Error("not an entry");
      return stored;
    } catch {
      this.stats.corrupt++;
      rmSync(file, { force: true });
      return null;
    }
  }
}
