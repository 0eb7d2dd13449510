/**
 * `rorlint scan --fix`: applies the fixes of a scan's findings to the files
 * on disk, each file atomically (a temporary file beside it with the same
 * mode and owner, then a rename).
 *
 * Only plain files are ever rewritten: the scanned path must be a directory
 * (an unpacked tree, a directory of scripts) or a single script; an archive
 * (tarball, .deb) is refused. A file is rewritten only when it is a regular
 * file inside the scanned directory whose content is still exactly the text
 * that was scanned, in UTF-8. Suppressed findings are not fixed.
 */
import { promises as fsp } from "node:fs";
import { join, resolve, sep } from "node:path";
import type { Replacement } from "../types.js";
import { isSuppressed } from "../types.js";
import type { ScanResult } from "../scan.js";
import { UsageError } from "../commands/exit.js";
import { tempBeside } from "../output.js";

const ARCHIVE = /\.(deb|udeb|ddeb|ipk|apk|rpm|tar|tgz|tbz2?|txz|tzst|tar\.(gz|bz2|xz|zst|lz4|lzma)|zip|cpio|img|iso|squashfs)$/i;

export interface FixReport {
  /** Files rewritten. */
  files: string[];
  /** Findings whose fix was applied. */
  fixed: number;
  /** Files left alone, with why. */
  skipped: { path: string; reason: string }[];
}

/** Throws a UsageError unless `--fix` may write to what `result` scanned. */
export async function checkFixable(target: string, kind: ScanResult["kind"]): Promise<void> {
  if (kind === "repo") throw new UsageError(`--fix: not with --repo (${target}): findings there are mapped back from where packages install their files`);
  const st = await fsp.stat(target);
  if (st.isDirectory() && (kind === "rootfs" || kind === "scripts")) return;
  if (st.isFile() && kind === "file" && !ARCHIVE.test(target)) return;
  throw new UsageError(`--fix: ${target} is not a directory or a single script; rorlint never modifies archives (tarballs, .deb) or what it extracted from them`);
}

/** Offsets of line starts, for (line, column) -> offset. */
function offsets(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/** Applies replacements to a text (last first); one that overlaps an edit already made is dropped. */
export function applyReplacements(text: string, replacements: readonly Replacement[]): { text: string; applied: Set<Replacement> } {
  const starts = offsets(text);
  const at = (line: number, column: number) => (starts[line - 1] ?? text.length) + column - 1;
  const edits = replacements
    .map((r) => ({ r, start: at(r.line, r.column), end: at(r.endLine, r.endColumn) }))
    .sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  const applied = new Set<Replacement>();
  let limit = Infinity;
  for (const e of edits) {
    if (e.end > limit || e.start > e.end) continue;
    out = out.slice(0, e.start) + e.r.text + out.slice(e.end);
    limit = e.start;
    applied.add(e.r);
  }
  return { text: out, applied };
}

async function writeLike(path: string, content: string, like: { mode: number; uid: number; gid: number }): Promise<void> {
  const tmp = tempBeside(path, "rorlint-fix.");
  try {
    await fsp.writeFile(tmp, content, { flag: "wx", mode: 0o600 });
    await fsp.chown(tmp, like.uid, like.gid).catch(() => undefined); // only root may give files away
    await fsp.chmod(tmp, like.mode & 0o7777); // after chown, which clears set-id bits
    await fsp.rename(tmp, path);
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
}

/** Applies every fix of a scan's findings to the files on disk. */
export async function applyFixes(result: ScanResult): Promise<FixReport> {
  await checkFixable(result.target, result.kind);
  const root = resolve(result.target);
  const realRoot = await fsp.realpath(root);
  const byPath = new Map<string, Replacement[]>();
  const seen = new Map<string, Replacement>();
  const keyOf = (r: Replacement) => JSON.stringify([r.path, r.line, r.column, r.endLine, r.endColumn, r.text]);
  const fixes = result.findings.filter((f) => f.fix && f.fix.replacements.length > 0 && !isSuppressed(f)).map((f) => f.fix!);
  for (const fix of fixes) {
    for (const r of fix.replacements) {
      // Two fixes may make the same edit (both ROR104 fixes document HWCLOCKACCESS): once is enough.
      if (seen.has(keyOf(r))) continue;
      seen.set(keyOf(r), r);
      (byPath.get(r.path) ?? byPath.set(r.path, []).get(r.path)!).push(r);
    }
  }
  const done = new Set<Replacement>();
  const report: FixReport = { files: [], fixed: 0, skipped: [] };
  for (const [path, replacements] of byPath) {
    const skip = (reason: string) => report.skipped.push({ path, reason });
    // A single scanned file: only that file (its path in the scan is where it would sit in a root).
    if (result.kind === "file" && !(result.scripts.length === 1 && result.scripts[0]!.path === path)) {
      skip("not the scanned file");
      continue;
    }
    const host = result.kind === "file" ? root : join(root, ...path.split("/"));
    const scanned = result.sources.get(path) ?? result.texts?.get(path);
    if (scanned === undefined) {
      skip("its text was not kept by the scan");
      continue;
    }
    let st;
    try {
      st = await fsp.lstat(host);
    } catch (err) {
      skip(`cannot stat: ${(err as Error).message}`);
      continue;
    }
    if (!st.isFile()) {
      skip("not a regular file");
      continue;
    }
    const real = await fsp.realpath(host);
    if (result.kind !== "file" && !real.startsWith(realRoot + sep)) {
      skip("resolves outside the scanned directory");
      continue;
    }
    const bytes = await fsp.readFile(host);
    if (!bytes.equals(Buffer.from(scanned, "utf8"))) {
      skip("changed since it was scanned, or not UTF-8");
      continue;
    }
    const { text, applied } = applyReplacements(scanned, replacements);
    if (applied.size === 0 || text === scanned) continue;
    await writeLike(host, text, st);
    report.files.push(path);
    for (const r of applied) done.add(r);
  }
  // A finding is fixed when the edit at its command was made.
  report.fixed = fixes.filter((fix) => done.has(seen.get(keyOf(fix.replacements[0]!))!)).length;
  return report;
}
