/**
 * The AST cache (`rorlint scan --cache`): the AST of every parsed text,
 * v8-serialized, in a file named by the SHA-256 of the text and of what
 * decides its AST (rorlint's version, the grammar's, the parsing code), so
 * that a re-scan parses only what changed.
 *
 * Layout: `<dir>/ast-<salt>/<2 hex>/<64 hex>`, each file a magic line, the
 * SHA-1 of the payload, and the payload. Entries are written atomically (a
 * temporary file, then a rename); an entry that is unreadable, truncated or
 * altered is ignored (and replaced). The cache is bounded: past `maxBytes`,
 * the oldest entries go first, those of other versions included.
 *
 * The cache is rorlint's own data, never the scanned tree's: it lives in the
 * platform's cache directory (`env-paths`), or where `--cache-dir` says.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deserialize } from "node:v8";
import { createRequire } from "node:module";
import { VERSION } from "../version.js";
import { builtDigest } from "../built.js";
import type { Script } from "./syntax.js";

const MAGIC = Buffer.from("RORAST1\n");
const DIGEST = 20;
/** Default bound of the whole cache directory. */
export const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024;

export interface AstCacheStats {
  hits: number;
  misses: number;
  writes: number;
  /** Entries ignored because they were damaged. */
  corrupt: number;
  /** Writes that failed (a read-only or full disk): the scan goes on without them. */
  failed: number;
}

/** The platform's cache directory for rorlint (~/.cache/rorlint on Linux, or $XDG_CACHE_HOME/rorlint). */
export async function defaultCacheDir(): Promise<string> {
  const { default: envPaths } = await import("env-paths");
  return envPaths("rorlint", { suffix: "" }).cache;
}

let saltOnce: string | undefined;

/** What, besides the text, decides an AST: rorlint's version, the grammar and the parser, and the parsing code itself. */
function salt(): string {
  if (saltOnce) return saltOnce;
  const h = createHash("sha256").update(`rorlint ${VERSION}\0`);
  const require = createRequire(import.meta.url);
  // The grammar and the parser runtime, by content (their package.json files are not all exported).
  for (const file of ["tree-sitter-bash/tree-sitter-bash.wasm", "web-tree-sitter"]) h.update(readFileSync(require.resolve(file)));
  h.update(parsingCode());
  return (saltOnce = h.digest("hex").slice(0, 16));
}

/** The parsing code (parse, syntax, parser), by content: the modules beside this one, or as the bundle was built from them. */
export function parsingCode(): string {
  const built = builtDigest("parsing");
  if (built) return built;
  const here = fileURLToPath(import.meta.url);
  const ext = here.slice(here.lastIndexOf("."));
  const h = createHash("sha256");
  for (const m of ["parse", "syntax", "parser"]) h.update(readFileSync(join(dirname(here), m + ext)));
  return h.digest("hex");
}

export class AstCache {
  readonly stats: AstCacheStats = { hits: 0, misses: 0, writes: 0, corrupt: 0, failed: 0 };
  /** (Its name is worked out on first use: a scan answered from the result cache never needs it.) */
  private dirOnce: string | undefined;
  private readonly made = new Set<string>();

  constructor(
    readonly root: string,
    readonly maxBytes = DEFAULT_CACHE_BYTES,
  ) {}

  private dir(): string {
    return (this.dirOnce ??= join(this.root, `ast-${salt()}`));
  }

  private fileOf(text: string): string {
    const key = createHash("sha256").update(text).digest("hex");
    return join(this.dir(), key.slice(0, 2), key);
  }

  /** The cached AST of `text`, or undefined. */
  get(text: string): Script | undefined {
    const file = this.fileOf(text);
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch {
      this.stats.misses++;
      return undefined;
    }
    const payload = bytes.subarray(MAGIC.length + DIGEST);
    const intact =
      bytes.length > MAGIC.length + DIGEST &&
      bytes.subarray(0, MAGIC.length).equals(MAGIC) &&
      createHash("sha1").update(payload).digest().equals(bytes.subarray(MAGIC.length, MAGIC.length + DIGEST));
    let script: unknown;
    try {
      script = intact ? deserialize(payload) : undefined;
    } catch {
      script = undefined;
    }
    if (!isScript(script)) {
      this.stats.corrupt++;
      this.stats.misses++;
      try {
        unlinkSync(file);
      } catch {
        // gone already, or not ours to remove: it is ignored either way
      }
      return undefined;
    }
    this.stats.hits++;
    return script;
  }

  /** Stores the serialized AST of `text` (atomically; failures are counted, not thrown). */
  put(text: string, serialized: Uint8Array): void {
    const file = this.fileOf(text);
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      const sub = dirname(file);
      if (!this.made.has(sub)) {
        mkdirSync(sub, { recursive: true });
        this.made.add(sub);
      }
      const digest = createHash("sha1").update(serialized).digest();
      writeFileSync(tmp, Buffer.concat([MAGIC, digest, serialized]));
      renameSync(tmp, file);
      this.stats.writes++;
    } catch {
      this.stats.failed++;
      try {
        rmSync(tmp, { force: true });
      } catch {
        // nothing to clean
      }
    }
  }

  /** Keeps the cache directory within its bound (see `pruneCache`), when this scan wrote to it. */
  prune(): void {
    if (this.stats.writes > 0) pruneCache(this.root, this.maxBytes);
  }
}

/**
 * Keeps a cache directory within `maxBytes`: past it, the oldest entries go
 * first (ASTs and scan results, of any version), down to three quarters.
 */
export function pruneCache(root: string, maxBytes = DEFAULT_CACHE_BYTES): void {
  const files: { path: string; size: number; mtime: number }[] = [];
  let total = 0;
  const collect = (dir: string, depth: number) => {
    let list;
    try {
      list = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const d of list) {
      const path = join(dir, d.name);
      if (d.isDirectory()) {
        if (depth < 2) collect(path, depth + 1);
        continue;
      }
      try {
        const st = statSync(path);
        files.push({ path, size: st.size, mtime: st.mtimeMs });
        total += st.size;
      } catch {
        // removed meanwhile
      }
    }
  };
  let tops: string[];
  try {
    tops = readdirSync(root).filter((n) => n.startsWith("ast-") || n.startsWith("scan-"));
  } catch {
    return;
  }
  for (const t of tops) collect(join(root, t), 1);
  if (total <= maxBytes) return;
  files.sort((a, b) => a.mtime - b.mtime);
  const target = maxBytes * 0.75;
  for (const f of files) {
    if (total <= target) break;
    try {
      unlinkSync(f.path);
      total -= f.size;
    } catch {
      // removed meanwhile
    }
  }
}

/** Whether a deserialized value has the shape of a Script (a damaged entry may deserialize to anything). */
function isScript(v: unknown): v is Script {
  if (typeof v !== "object" || v === null) return false;
  const s = v as Partial<Script>;
  return Array.isArray(s.body) && typeof s.errorLines === "number" && typeof s.hasErrors === "boolean" && Array.isArray(s.unparsedRows);
}
