/**
 * What `bin/rorlint.js` runs: the command line's bundle (`dist/bundle/cli.cjs`,
 * made by `scripts/bundle.ts`), compiled with the V8 code cache that the
 * build made for it.
 *
 * Before it does any work, a scan spends some 50 ms having Node resolve,
 * read and compile its modules and V8 compile its functions as they are
 * first called. Node 20 keeps no code cache for ES modules, but V8 takes one
 * for a script: the build runs the command line once on the sample and keeps
 * the bytecode of every function that ran (`RORLINT_CODE_CACHE=write`). Each
 * run after that starts from it. Measured on the Debian 12 tree, 20
 * interleaved runs: 0.53 s median against 0.64 s.
 *
 * V8 refuses a cache made by another V8 or under other flags (then the
 * bundle is compiled as usual: slower, not different), which is why the
 * flags rorlint sets are set here first. V8 checks only the length of the
 * source, so the cache also names the bundle it was made from: the digest
 * on the bundle's first line (`// rorlint bundle <digest>`).
 *
 * `RORLINT_CODE_CACHE`: unset, the cache is used when it matches; `off`, it
 * is not; `report`, whether it was used is printed on standard error (for
 * the build and the tests); `write`, the cache is made when the process
 * exits (the build's run).
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { setFlagsFromString } from "node:v8";
import { Script } from "node:vm";
import { PROCESS_FLAGS } from "./flags.js";

/** The first line of the bundle: the build's digest of the rest. */
export const BUNDLE_MARK = "// rorlint bundle ";

/** Where the code cache of `bundle` is kept. */
export function codeCacheFile(bundle: string): string {
  return `${bundle}.v8cache`;
}

/** The digest the bundle names on its first line, or null. */
export function bundleDigest(source: string): string | null {
  if (!source.startsWith(BUNDLE_MARK)) return null;
  const end = source.indexOf("\n");
  return end < 0 ? null : source.slice(BUNDLE_MARK.length, end);
}

/** The cache file: the digest of its bundle, a newline, then V8's data. */
function readCache(file: string, digest: string | null): Buffer | undefined {
  if (digest === null) return undefined;
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch {
    return undefined;
  }
  const head = Buffer.from(`${digest}\n`, "latin1");
  return data.subarray(0, head.length).equals(head) ? data.subarray(head.length) : undefined;
}

function writeCache(file: string, digest: string, data: Buffer): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, Buffer.concat([Buffer.from(`${digest}\n`, "latin1"), data]));
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    process.stderr.write(`rorlint: could not write the code cache ${file}: ${(err as Error).message}\n`);
  }
}

/** Runs the CommonJS script `bundle` as Node would, with its code cache. */
export function launch(bundle: string): void {
  for (const flag of PROCESS_FLAGS) setFlagsFromString(flag);
  let source: string;
  try {
    source = readFileSync(bundle, "utf8");
  } catch (err) {
    process.stderr.write(`rorlint: cannot read ${bundle} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): run npm run build first\n`);
    process.exitCode = 2;
    return;
  }
  const mode = process.env.RORLINT_CODE_CACHE;
  const digest = bundleDigest(source);
  const file = codeCacheFile(bundle);
  const cachedData = mode === "off" || mode === "write" ? undefined : readCache(file, digest);
  // As Node wraps a CommonJS module, on the bundle's first line, so that line numbers stay as they are.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: bundle, cachedData });
  if (mode === "report") process.stderr.write(`rorlint: code cache ${cachedData === undefined ? "missing" : script.cachedDataRejected ? "rejected" : "used"}\n`);
  if (mode === "write" && digest !== null) process.once("exit", () => writeCache(file, digest, script.createCachedData()));
  const module = { exports: {} };
  (script.runInThisContext() as (...args: unknown[]) => void).call(module.exports, module.exports, createRequire(bundle), module, bundle, dirname(bundle));
}
