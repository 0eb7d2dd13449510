/**
 * Synthetic trees for the scaling series: one root filesystem made of N
 * copies of a corpus, under `.cache/bench/` (git-ignored).
 *
 * - Copy 1 is the corpus itself: the whole tree, hard-linked (no data copied).
 * - Copies 2..N of everything rorlint reads as a script sit beside the
 *   originals, where rorlint looks for scripts, under suffixed names
 *   (`etc/init.d/rsyslog-k2`, `var/lib/dpkg/info/foo-k2.postinst`, runlevel
 *   links `S01rsyslog-k2 -> ../init.d/rsyslog-k2`). A shell script's copy
 *   ends with a comment naming the copy, so that no two copies have the same
 *   text (rorlint parses a text once per scan, whatever its name: identical
 *   copies would cost nothing and prove nothing); other files are hard links.
 *   The libraries they source stay shared, as in a real tree.
 * - Copies 2..N of the rest of the tree are hard-linked whole under
 *   `usr/share/rorlint-bench/copy-K/`, so that the walk and the index grow
 *   with N too.
 *
 * A tree is built once and reused while its stamp (the corpus's own stamp
 * and N) matches.
 */
import { existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import picomatch from "picomatch";
import { SCRIPT_GLOBS } from "../src/input/classify.js";

/** Where a copy of the whole tree goes (copies 2..N). */
const COPIES_DIR = "usr/share/rorlint-bench";

/** Hard-links a tree (directories made, links recreated, files linked). */
function linkTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const d of readdirSync(from, { withFileTypes: true })) {
    const src = join(from, d.name);
    const dst = join(to, d.name);
    if (d.isDirectory()) linkTree(src, dst);
    else if (d.isSymbolicLink()) symlinkSync(readlinkSync(src), dst);
    else if (d.isFile()) linkSync(src, dst);
    // FIFOs, sockets and devices are left out: a benchmark tree needs none.
  }
}

/** Every file and link of a tree, relative to it. */
function listTree(root: string, rel = "", out: string[] = []): string[] {
  for (const d of readdirSync(join(root, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${d.name}` : d.name;
    if (d.isDirectory()) listTree(root, p, out);
    else if (d.isFile() || d.isSymbolicLink()) out.push(p);
  }
  return out;
}

/** "a/b/../c" -> "a/c", without a leading slash. */
function normalize(path: string): string {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return out.join("/");
}

/** `foo` -> `foo-k2`; `foo.postinst` -> `foo-k2.postinst` (the glob's extension kept). */
function suffixed(name: string, k: number, keepExtension: boolean): string {
  const dot = name.lastIndexOf(".");
  return keepExtension && dot > 0 ? `${name.slice(0, dot)}-k${k}${name.slice(dot)}` : `${name}-k${k}`;
}

export interface ScaleTree {
  root: string;
  copies: number;
  /** Script files and links added for copies 2..N. */
  scriptCopies: number;
}

/**
 * The root filesystem of N copies of `corpus` (built under `dir` if missing
 * or stale). `stamp` identifies the corpus build.
 */
export function scaleTree(corpus: string, n: number, dir: string, stamp: string): ScaleTree {
  const out = join(dir, `scale-${n}`);
  const root = join(out, "rootfs");
  const stampFile = join(out, "stamp.json");
  const want = JSON.stringify({ corpus: stamp, n, builder: 1 });
  if (existsSync(stampFile) && readFileSync(stampFile, "utf8") === want && existsSync(root)) {
    const { scriptCopies } = JSON.parse(readFileSync(join(out, "tree.json"), "utf8")) as ScaleTree;
    return { root, copies: n, scriptCopies };
  }
  rmSync(out, { recursive: true, force: true });
  const tmp = `${root}.tmp-${process.pid}`;
  linkTree(corpus, tmp);
  const isScript = picomatch(SCRIPT_GLOBS, { dot: true });
  const scripts = listTree(corpus).filter((p) => isScript(p));
  const replicated = new Set(scripts.filter((p) => !lstatSync(join(corpus, p)).isSymbolicLink()));
  let scriptCopies = 0;
  /** Where copy k of a script goes, if a suffixed name is still where rorlint looks (else the script is not copied). */
  const copyPath = (rel: string, k: number): string | null => {
    const name = basename(rel);
    const candidates = [suffixed(name, k, true), suffixed(name, k, false)].map((x) => `${dirname(rel)}/${x}`);
    return candidates.find((c) => isScript(c)) ?? null;
  };
  for (let k = 2; k <= n; k++) {
    for (const rel of scripts) {
      const copy = copyPath(rel, k);
      if (!copy) continue;
      const src = join(corpus, rel);
      const dst = join(tmp, copy);
      const st = lstatSync(src);
      if (st.isSymbolicLink()) {
        // A runlevel link to a copied script points at that script's copy.
        const target = readlinkSync(src);
        const targetRel = normalize(target.startsWith("/") ? target : `${dirname(rel)}/${target}`);
        const targetCopy = replicated.has(targetRel) ? copyPath(targetRel, k) : null;
        symlinkSync(targetCopy ? `${dirname(target)}/${basename(targetCopy)}` : target, dst);
      } else {
        const bytes = readFileSync(src);
        if (bytes.subarray(0, 2).toString("latin1") === "#!") writeFileSync(dst, Buffer.concat([bytes, Buffer.from(`\n# rorlint bench copy ${k}\n`)]), { mode: st.mode & 0o7777 });
        else linkSync(src, dst);
      }
      scriptCopies++;
    }
    linkTree(corpus, join(tmp, COPIES_DIR, `copy-${k}`));
  }
  mkdirSync(out, { recursive: true });
  renameSync(tmp, root);
  const tree: ScaleTree = { root, copies: n, scriptCopies };
  writeFileSync(join(out, "tree.json"), JSON.stringify({ copies: n, scriptCopies }));
  writeFileSync(stampFile, want);
  return tree;
}
