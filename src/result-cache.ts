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
 * Entries live beside the AST cache (`cache.ts`), under
 * `<dir>/scan-<salt>/`, written atomically, bounded with it, and ignored
 * when damaged. Only directory targets are cached.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deserialize, serialize } from "node:v8";
import { VERSION } from "./version.js";
import { builtDigest } from "./built.js";
import type { FsView, ReadRecord } from "./fs/view.js";
import type { ScanResult } from "./scan.js";

const MAGIC = Buffer.from("RORSCAN1\n");
const DIGEST = 20;

/** What a cache entry holds. */
interface Stored {
  index: string;
  reads: ReadRecord[];
  result: Omit<ScanResult, "facts">;
}

export interface ResultCacheStats {
  hits: number;
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
  readonly stats: ResultCacheStats = { hits: 0, misses: 0, writes: 0, corrupt: 0, failed: 0 };
  private readonly dir: string;

  constructor(readonly root: string) {
    this.dir = join(root, `scan-${codeSalt()}`);
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

  /** Stores a scan's result (call before anything changes the result's objects). */
  store(key: string, index: string, reads: ReadRecord[], result: ScanResult): void {
    const { facts: _facts, ...rest } = result;
    const stored: Stored = { index, reads, result: rest };
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
      if (typeof stored?.index !== "string" || !Array.isArray(stored.reads) || !Array.isArray(stored.result?.findings)) throw new Error("not an entry");
      return stored;
    } catch {
      this.stats.corrupt++;
      rmSync(file, { force: true });
      return null;
    }
  }
}
