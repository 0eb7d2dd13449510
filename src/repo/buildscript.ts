/**
 * Shell build recipes: Arch `PKGBUILD` (with its `.install` file) and
 * Alpine `APKBUILD` (with its `*.pre-install`, `*.post-install` ... files
 * and OpenRC `*.initd`/`*.confd`).
 *
 * - package() (and split packages' package_<name>()) is build-time code:
 *   never checked, but its `install`/`cp` commands tell where the
 *   repository's own files land (`install -Dm755 "$srcdir"/foo.cron
 *   "$pkgdir"/etc/cron.daily/foo`), which decides their roles.
 * - An Arch `.install` file is sourced by pacman, which then calls
 *   `post_install`, `post_upgrade`, `pre_remove` ...: each function is a
 *   maintainer scriptlet. Its masked text is the whole file with that one
 *   function's header and closing brace blanked, so its body runs as top
 *   level code after the file's own top level (which runs when pacman
 *   sources it), the other functions stay defined, and every command sits
 *   at its original line and column.
 */
import { parseScript } from "../shell/program.js";
import type { Script } from "../shell/syntax.js";
import { MaskBuilder, lineStarts, type Masked } from "./text.js";
import { buildCommands, pairsOf, PKG_ROOT, SRC_DIR } from "./install.js";

/** pacman's scriptlet functions. */
export const PACMAN_FUNCTIONS = ["pre_install", "post_install", "pre_upgrade", "post_upgrade", "pre_remove", "post_remove"];

/** Alpine's install script kinds (apk runs them as maintainer scripts). */
export const APK_SCRIPT = /\.(pre-install|post-install|pre-upgrade|post-upgrade|pre-deinstall|post-deinstall|trigger)$/;

/**
 * Where package() installs files of the recipe's directory: file name (or
 * path relative to the directory) -> installed path.
 */
export async function recipeInstalls(text: string, sourceFiles: (rel: string) => boolean): Promise<{ src: string; dest: string }[]> {
  const prelude = `pkgdir=${PKG_ROOT}; srcdir=${SRC_DIR}; startdir=${SRC_DIR}; subpkgdir=${PKG_ROOT}; builddir=${SRC_DIR}/build`;
  const commands = await buildCommands(text, (name) => /^package(_.+)?$/.test(name) || name.endsWith("_openrc"), prelude);
  const out: { src: string; dest: string }[] = [];
  for (const p of pairsOf(commands)) {
    let rel: string | null = null;
    if (p.src.startsWith(SRC_DIR + "/")) rel = p.src.slice(SRC_DIR.length + 1);
    else if (!p.src.startsWith("/")) rel = p.src.replace(/^\.\//, "");
    if (rel === null) continue;
    // Sources are linked into $srcdir by name; a path below it is an upstream file unless the recipe directory has it.
    const name = rel.slice(rel.lastIndexOf("/") + 1);
    if (sourceFiles(rel)) out.push({ src: rel, dest: p.dest });
    else if (sourceFiles(name)) out.push({ src: name, dest: p.dest });
  }
  return out;
}

export interface FunctionScriptlet {
  name: string;
  line: number;
  masked: Masked;
}

/**
 * Each pacman function of an `.install` file as a masked text: the file
 * with that function's header (`post_install() {`) and closing brace blank.
 */
export async function installFunctions(text: string): Promise<FunctionScriptlet[]> {
  const script: Script = await parseScript(text);
  const starts = lineStarts(text);
  const offset = (line: number, column: number) => (starts[line - 1] ?? text.length) + column - 1;
  const functions = script.body.filter((s): s is Extract<typeof s, { kind: "function" }> => s.kind === "function");
  const out: FunctionScriptlet[] = [];
  for (const fn of functions) {
    if (!PACMAN_FUNCTIONS.includes(fn.name)) continue;
    const b = new MaskBuilder(text);
    for (const other of functions) {
      const from = offset(other.span.line, other.span.column);
      const to = offset(other.span.endLine, other.span.endColumn);
      b.copy(from);
      // The other functions stay defined (pacman sources the whole file): only their bodies never run here.
      if (other !== fn) {
        b.copy(to);
        continue;
      }
      // Keep the body: blank the header up to and including "{" and the closing "}".
      const open = text.indexOf("{", from);
      const close = to - 1;
      if (open < 0 || open >= close || text[close] !== "}") {
        b.mask(to);
        continue;
      }
      b.mask(open + 1).copy(close).mask(to);
    }
    b.copy(text.length);
    out.push({ name: fn.name, line: fn.span.line, masked: b.finish() });
  }
  return out;
}
