/**
 * Debian `debian/` directories: where each packaging file ends up on the
 * installed system, from debhelper's naming conventions
 * (`debian/<package>[.<name>].<kind>`), the `*.install` lists (dh-exec
 * `=>` renames included), and the `install`/`cp` lines of debian/rules
 * recipes. debian/rules is a makefile: it is never parsed as shell; only
 * recipe lines that copy a file of debian/ into a package are read, with
 * the makefile's simple variables expanded.
 */
import picomatch from "picomatch";
import type { Role } from "../types.js";
import { installPairs, normalizeAbs } from "./install.js";

/** A file of the repository and where the package installs it. */
export interface Placement {
  /** Path in the repository (relative, no leading slash). */
  origin: string;
  /** Absolute path on the installed system. */
  installPath: string;
  /** How the destination was found, for the scripts list and notes. */
  via: string;
  /** Roles that the file kind decides (otherwise the install path decides). */
  roles?: Role[];
}

/** debhelper file kinds: suffix -> install path for a name. Longest suffixes first. */
const KINDS: [string, (name: string, pkg: string) => string][] = [
  ["dhclient-enter-hooks", (n) => `/etc/dhcp/dhclient-enter-hooks.d/${n}`],
  ["dhclient-exit-hooks", (n) => `/etc/dhcp/dhclient-exit-hooks.d/${n}`],
  ["dhclient-enter-hook", (n) => `/etc/dhcp/dhclient-enter-hooks.d/${n}`],
  ["dhclient-exit-hook", (n) => `/etc/dhcp/dhclient-exit-hooks.d/${n}`],
  ["ppp.ip-up", (n) => `/etc/ppp/ip-up.d/${n}`],
  ["ppp.ip-down", (n) => `/etc/ppp/ip-down.d/${n}`],
  ["ppp.ipv6-up", (n) => `/etc/ppp/ipv6-up.d/${n}`],
  ["ppp.ipv6-down", (n) => `/etc/ppp/ipv6-down.d/${n}`],
  ["ppp.ip-pre-up", (n) => `/etc/ppp/ip-pre-up.d/${n}`],
  ["cron.hourly", (n) => `/etc/cron.hourly/${cronName(n)}`],
  ["cron.daily", (n) => `/etc/cron.daily/${cronName(n)}`],
  ["cron.weekly", (n) => `/etc/cron.weekly/${cronName(n)}`],
  ["cron.monthly", (n) => `/etc/cron.monthly/${cronName(n)}`],
  ["cron.d", (n) => `/etc/cron.d/${cronName(n)}`],
  ["if-pre-up", (n) => `/etc/network/if-pre-up.d/${n}`],
  ["if-up", (n) => `/etc/network/if-up.d/${n}`],
  ["if-down", (n) => `/etc/network/if-down.d/${n}`],
  ["if-post-down", (n) => `/etc/network/if-post-down.d/${n}`],
  ["init.d", (n) => `/etc/init.d/${n}`],
  ["init", (n) => `/etc/init.d/${n}`],
  ["default", (n) => `/etc/default/${n}`],
  ["tmpfiles", (n) => `/usr/lib/tmpfiles.d/${n}.conf`],
  ["tmpfile", (n) => `/usr/lib/tmpfiles.d/${n}.conf`],
  ["logrotate", (n) => `/etc/logrotate.d/${n}`],
  ["service", (n) => `/lib/systemd/system/${n}.service`],
  ["socket", (n) => `/lib/systemd/system/${n}.socket`],
  ["timer", (n) => `/lib/systemd/system/${n}.timer`],
  ["path", (n) => `/lib/systemd/system/${n}.path`],
  ["target", (n) => `/lib/systemd/system/${n}.target`],
  ["mount", (n) => `/lib/systemd/system/${n}.mount`],
  ["preinst", (_n, p) => `/var/lib/dpkg/info/${p}.preinst`],
  ["postinst", (_n, p) => `/var/lib/dpkg/info/${p}.postinst`],
  ["prerm", (_n, p) => `/var/lib/dpkg/info/${p}.prerm`],
  ["postrm", (_n, p) => `/var/lib/dpkg/info/${p}.postrm`],
  ["config", (_n, p) => `/var/lib/dpkg/info/${p}.config`],
];

/** dh_installcron: run-parts skips names with dots. */
function cronName(n: string): string {
  return n.replace(/\./g, "_");
}

/** Binary package names of debian/control, in order (the first is the main package). */
export function controlPackages(text: string): string[] {
  const out: string[] = [];
  for (const stanza of text.split(/\n[ \t]*\n/)) {
    const name = /^Package:[ \t]*([a-z0-9][a-z0-9+.-]*)[ \t]*$/im.exec(stanza)?.[1];
    if (!name || /^Package-Type:[ \t]*udeb/im.test(stanza) || /^XC-Package-Type:[ \t]*udeb/im.test(stanza)) continue;
    out.push(name);
  }
  return out;
}

/** A Debian packaging directory found in the repository. */
export interface DebianDir {
  /** "debian" or "pkgs/foo/debian"; "" when the repository root is the debian directory itself. */
  dir: string;
  /** The source tree that holds it ("" for the repository root). */
  root: string;
  /** Binary packages, main package first; udebs (for the installer, never on an installed system) left out. */
  packages: string[];
}

function join(...parts: string[]): string {
  return parts.filter(Boolean).join("/");
}

/** A path written relative to the source tree ("debian/foo") as a repository path. */
function repoPath(deb: DebianDir, path: string): string {
  const p = path.replace(/^\.\//, "");
  if (deb.dir === "") return p.startsWith("debian/") ? p.slice("debian/".length) : `../${p}`;
  return join(deb.root, p);
}

/**
 * Placements from debhelper naming: `debian/foo.init` -> /etc/init.d/foo,
 * `debian/pkg.name.default` -> /etc/default/name, plain `postinst` -> the
 * main package's maintainer script.
 */
export function namingPlacements(deb: DebianDir, files: string[]): Placement[] {
  const out: Placement[] = [];
  const main = deb.packages[0] ?? (deb.root.split("/").pop() || "package");
  const prefix = deb.dir ? deb.dir + "/" : "";
  const packages = [...deb.packages].sort((a, b) => b.length - a.length);
  for (const f of files) {
    if (!f.startsWith(prefix)) continue;
    const base = f.slice(prefix.length);
    if (base.includes("/")) continue;
    for (const [kind, dest] of KINDS) {
      let stem: string;
      if (base === kind) stem = "";
      else if (base.endsWith("." + kind)) stem = base.slice(0, -kind.length - 1);
      else continue;
      let pkg = main;
      let name = main;
      if (stem) {
        if (deb.packages.includes(stem)) pkg = name = stem;
        else {
          const p = packages.find((x) => stem.startsWith(x + "."));
          if (p) {
            pkg = p;
            name = stem.slice(p.length + 1);
          } else name = stem; // `--name=stem` for the main package (debian/networking.init)
        }
      }
      const maintainer = ["preinst", "postinst", "prerm", "postrm", "config"].includes(kind);
      if (maintainer && stem && !deb.packages.includes(stem) && deb.packages.length > 0) break; // not a maintainer script of a package
      out.push({ origin: f, installPath: dest(name, pkg), via: `debhelper naming (${kind})`, ...(maintainer ? { roles: ["maintainer" as Role] } : {}) });
      break;
    }
  }
  return out;
}

/** Placements from `debian/*.install` lists (and plain `debian/install` for the main package). */
export function installListPlacements(deb: DebianDir, files: string[], lists: Map<string, string>): Placement[] {
  const out: Placement[] = [];
  for (const [listPath, text] of lists) {
    for (const raw of text.split("\n")) {
      const line = raw.replace(/\[[^\]]*\]/g, " ").trim();
      if (!line || line.startsWith("#")) continue;
      const rename = /^(\S+)\s*=>\s*(\S+)$/.exec(line);
      const words = rename ? [rename[1]!, rename[2]!] : line.split(/\s+/);
      const srcs = rename ? [words[0]!] : words.length > 1 ? words.slice(0, -1) : words;
      const destDir = rename ? null : words.length > 1 ? words[words.length - 1]! : null;
      for (const pattern of srcs) {
        if (pattern.includes("$")) continue;
        const full = repoPath(deb, pattern.replace(/\/+$/, ""));
        const match = picomatch(full, { dot: true });
        for (const f of files) {
          // The pattern names the file itself or a directory above it (installed with its subtree).
          const parts = f.split("/");
          let top: string | null = null;
          for (let k = parts.length; k >= 1; k--) {
            if (match(parts.slice(0, k).join("/"))) {
              top = parts.slice(k - 1).join("/");
              break;
            }
          }
          if (top === null) continue;
          if (rename) out.push({ origin: f, installPath: normalizeAbs(words[1]!), via: listPath });
          else if (destDir !== null) out.push({ origin: f, installPath: normalizeAbs(`/${destDir}/${top}`), via: listPath });
          // With no destination the file comes from debian/tmp: not a file of the repository.
        }
      }
    }
  }
  return out;
}

/** Make variables of debian/rules: simple assignments, plus what dpkg would set on Linux. */
function makeVariables(rules: string, main: string): Map<string, string> {
  const vars = new Map<string, string>([
    ["DEB_HOST_ARCH_OS", "linux"],
    ["DEB_BUILD_ARCH_OS", "linux"],
    ["CURDIR", "."],
  ]);
  for (const m of rules.matchAll(/^(?:export[ \t]+|override[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*(?::?:=|\?=|=)[ \t]*(.*?)[ \t]*$/gm)) {
    if (!vars.has(m[1]!) || m[1] === "CURDIR") vars.set(m[1]!, m[2]!.replace(/\$\(shell dh_listpackages\)/g, main));
  }
  return vars;
}

function expandMake(text: string, vars: Map<string, string>, depth = 0): string {
  if (depth > 5) return text;
  const out = text.replace(/\$[({]([A-Za-z_][A-Za-z0-9_]*)[)}]/g, (m, name: string) => (vars.has(name) ? expandMake(vars.get(name)!, vars, depth + 1) : m));
  return out.replace(/`pwd`/g, ".");
}

/** Placements from `install`/`cp` lines in debian/rules recipes that copy files of debian/ into a package. */
export function rulesPlacements(deb: DebianDir, files: string[], rules: string): Placement[] {
  const main = deb.packages[0] ?? "";
  const vars = makeVariables(rules, main);
  const out: Placement[] = [];
  const lines = rules.replace(/\\\n[ \t]*/g, " ").split("\n");
  const rulesPath = join(deb.dir, "rules");
  for (const raw of lines) {
    if (!raw.startsWith("\t")) continue;
    for (const cmd of expandMake(raw, vars).split(/;|&&|\|\|/)) {
      const words = cmd.trim().replace(/^[@+-]+/, "").split(/\s+/).filter(Boolean);
      const name = words[0];
      if (name !== "install" && name !== "cp") continue;
      const noTarget = words.includes("-T") || words.includes("--no-target-directory");
      const args = words.slice(1).filter((w) => w !== "-T" && w !== "--no-target-directory");
      const pairs = installPairs(name, args, (dest) => packageDest(dest, deb.packages));
      for (const p of pairs) {
        const origin = repoPath(deb, normalizeAbs(p.src).slice(1));
        if (!files.includes(origin)) continue;
        let dest = p.dest;
        if (noTarget) dest = packageDest(args[args.length - 1]!, deb.packages) ?? dest;
        out.push({ origin, installPath: dest, via: rulesPath });
      }
    }
  }
  return out;
}

/** `debian/<pkg>/x` or `debian/tmp/x` -> /x; anything else is not an installed path. */
function packageDest(dest: string, packages: string[]): string | null {
  const d = normalizeAbs(dest).slice(1);
  const m = /^debian\/([^/]+)(\/.*)?$/.exec(d);
  if (!m || (!packages.includes(m[1]!) && m[1] !== "tmp")) return null;
  return normalizeAbs(m[2] ?? "/");
}
