/**
 * Where packaging code installs a repository's files: the `install` and
 * `cp` commands of a PKGBUILD's or APKBUILD's package(), of an RPM
 * `%install` section, or of a debian/rules recipe. The destination is what
 * decides a file's role (a file installed to /etc/cron.daily/ is periodic).
 *
 * The code is read, never run: shell code is evaluated by the model with
 * the package root and source directory set to markers, and the commands'
 * known argument values are matched against the repository's files.
 */
import { parseScript } from "../shell/program.js";
import { Evaluator, type SourceLoader } from "../shell/evaluate.js";
import type { Command } from "../shell/model.js";

/** Marker values for the package root and the source directory in evaluated build code. */
export const PKG_ROOT = "/.rorlint-pkgroot";
export const SRC_DIR = "/.rorlint-srcdir";

export interface InstallPair {
  /** The source as written (a path, possibly under SRC_DIR or relative to the build directory). */
  src: string;
  /** Where it lands on the installed system, absolute. */
  dest: string;
}

/** Directory names that are certainly directories when they end an install destination. */
const DIR_NAMES = /(^|\/)(init\.d|conf\.d|default|sysconfig|cron\.d|cron\.(hourly|daily|weekly|monthly)|system|user|tmpfiles\.d|sysusers\.d|rules\.d|logrotate\.d|bin|sbin|libexec|[^/]+\.d)$/;

/**
 * Source and destination of an `install` or `cp` command, from its argument
 * values (null: unknown). `root` is the prefix that stands for the
 * installed system's `/` in destinations.
 */
export function installPairs(name: string, args: (string | null)[], root: (dest: string) => string | null): InstallPair[] {
  if (name !== "install" && name !== "cp") return [];
  const valued = name === "install" ? new Set(["m", "o", "g", "t", "S", "Z"]) : new Set(["t", "S"]);
  const operands: (string | null)[] = [];
  let target: string | null | undefined;
  let parents = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === null || a === undefined) {
      operands.push(null);
      continue;
    }
    if (a === "--") {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith("--")) {
      const [opt, val] = a.slice(2).split("=", 2);
      if (opt === "directory") return [];
      if (opt === "target-directory") target = val ?? args[++i] ?? null;
      else if (["mode", "owner", "group", "suffix", "context"].includes(opt!) && val === undefined) i++;
      continue;
    }
    if (a.startsWith("-") && a.length > 1) {
      for (let k = 1; k < a.length; k++) {
        const c = a[k]!;
        if (c === "d" && name === "install") return [];
        if (c === "D") parents = true;
        if (valued.has(c)) {
          const rest = a.slice(k + 1);
          const v = rest || (args[++i] ?? null);
          if (c === "t") target = v;
          break;
        }
      }
      continue;
    }
    operands.push(a);
  }
  let dest: string | null;
  let srcs: (string | null)[];
  let destIsDir: boolean;
  if (target !== undefined) {
    dest = target;
    srcs = operands;
    destIsDir = true;
  } else {
    if (operands.length < 2) return [];
    dest = operands[operands.length - 1]!;
    srcs = operands.slice(0, -1);
    destIsDir = srcs.length > 1 || (dest !== null && (dest.endsWith("/") || (!parents && DIR_NAMES.test(dest.replace(/\/+$/, "")))));
  }
  if (dest === null) return [];
  const installed = root(dest);
  if (installed === null) return [];
  const out: InstallPair[] = [];
  for (const s of srcs) {
    if (s === null || s.includes("*")) continue;
    const base = s.replace(/\/+$/, "").slice(s.replace(/\/+$/, "").lastIndexOf("/") + 1);
    const d = destIsDir ? `${installed.replace(/\/+$/, "")}/${base}` : installed;
    out.push({ src: s, dest: normalizeAbs(d) });
  }
  return out;
}

export function normalizeAbs(p: string): string {
  const parts: string[] = [];
  for (const x of p.split("/")) {
    if (x === "" || x === ".") continue;
    if (x === "..") parts.pop();
    else parts.push(x);
  }
  return "/" + parts.join("/");
}

/** A destination under the marker package root, as an installed path. */
export function underPkgRoot(dest: string): string | null {
  const d = normalizeAbs(dest);
  if (d === PKG_ROOT) return "/";
  return d.startsWith(PKG_ROOT + "/") ? d.slice(PKG_ROOT.length) : null;
}

const NO_SOURCES: SourceLoader = { get: () => "missing", resolve: (p) => p };

/**
 * Commands of shell build code, evaluated (nothing is run): the top level
 * and the bodies of the functions `functions` accepts. `prelude` is shell
 * put before the code (marker assignments); positions do not matter here.
 */
export async function buildCommands(text: string, functions: (name: string) => boolean, prelude = ""): Promise<Command[]> {
  // tree-sitter-bash splits `$a/$b.x` into two words (`$a/` and a literal `$b.x`); `${b}.x` parses.
  // Positions do not matter here, so the text may change.
  const script = await parseScript(prelude + "\n" + text.replace(/(?<!\$)\$([A-Za-z_][A-Za-z0-9_]*)(?=\.)/g, "$${$1}"));
  const model = new Evaluator("/.rorlint-build", NO_SOURCES, new Set()).run(script, 0);
  const out = model.commands.filter((c) => c.func === null);
  for (const [name, def] of model.functions) if (functions(name)) out.push(...def.commands);
  return out;
}

/** install/cp pairs of evaluated commands, with destinations under the marker package root. */
export function pairsOf(commands: Command[], root: (dest: string) => string | null = underPkgRoot): InstallPair[] {
  return commands.flatMap((c) => (c.name ? installPairs(c.name, c.args.map((a) => a.value), root) : []));
}
