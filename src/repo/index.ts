/**
 * Packaging-repository mode (`rorlint scan --repo DIR`): finds the
 * packaging files of a repository and presents them to the ordinary
 * pipeline as a small virtual root filesystem.
 *
 * The path mapping lives here and only here:
 *
 * - Each packaging file is placed where its package installs it
 *   (`debian/foo.init` at /etc/init.d/foo, `debian/foo.default` at
 *   /etc/default/foo, a PKGBUILD's `install -Dm755 foo.cron
 *   "$pkgdir"/etc/cron.daily/foo` at /etc/cron.daily/foo, ...). So
 *   `. /etc/default/foo` in the init script finds the repository's
 *   default file, and it counts as user configuration, exactly as in an
 *   installed tree; roles come from the install path as for a root
 *   filesystem, or from the file kind (maintainer scripts).
 * - Embedded shell (RPM scriptlets, systemd `sh -c`, pacman `.install`
 *   functions, crontab commands, logrotate blocks) gets a virtual file of
 *   its own under `/.repo/`, holding a masked text of the original file
 *   (see text.ts): same lines, the shell at its original columns, a column
 *   map where lengths had to change.
 * - {@link RepoTarget.remap} turns every finding, related location and
 *   diagnostic back into the repository path, line and column; scan.ts
 *   calls it right after the rules, so suppressions, code frames, SARIF
 *   and fixes all see repository paths and the original texts.
 * - Packagings that would install different files at the same path (a
 *   debian/foo.init and an APKBUILD's foo.initd) get separate virtual
 *   roots, scanned one after the other and merged ({@link mergeRepoResults}).
 *
 * Roles: from the install path, as classify.ts gives them for a root
 * filesystem (an init script's LSB header decides boot and shutdown; with
 * none, both), or from the file kind (maintainer scripts and scriptlets).
 * A systemd unit's shell is boot (ExecStop*: shutdown) when installing the
 * unit enables it (WantedBy= ...; a template only with DefaultInstance=) or
 * an enabled unit pulls it in, periodic when an enabled timer starts it,
 * otherwise not checked; a placed script it names runs with that role.
 * Files of other packages (/lib/lsb/init-functions) are simply absent.
 */
import { promises as fsp } from "node:fs";
import { resolve as hostResolve } from "node:path";
import type { Diagnostic, Finding, Location, Role } from "../types.js";
import type { ScanResult } from "../scan.js";
import { RUNTIME_ROLES } from "../types.js";
import { FsView, relative, type EntryInit } from "../fs/view.js";
import { openDirectory } from "../fs/dir.js";
import { interpreterOf, rolesOf, isInitScriptPath, parseLsbHeader } from "../input/classify.js";
import { compareFindings } from "../engine/run.js";
import { PositionMap, type Masked } from "./text.js";
import { controlPackages, installListPlacements, namingPlacements, rulesPlacements, type DebianDir, type Placement } from "./debian.js";
import { execLines, isEnabled, managedDirectories, parseUnit, pulls, type Unit } from "./systemd.js";
import { parseSpec, specInstalls } from "./rpm.js";
import { APK_SCRIPT, installFunctions, recipeInstalls } from "./buildscript.js";
import { crontabCommands, logrotateScripts } from "./crontab.js";

export type { Placement } from "./debian.js";

/** A script the scan checks: a whole packaging file, or shell embedded in one. */
export interface RepoScript {
  /** Path in the virtual view. */
  path: string;
  /** The repository file (relative, no leading slash). */
  origin: string;
  /** What the shell parser sees: the original text, or a masked text of it. */
  text: string;
  roles: Set<Role>;
  interpreter: string;
  /** Files sourced before the script runs (systemd EnvironmentFile=, OpenRC conf.d). */
  implicit: string[];
  /** What it is: "installed at /etc/init.d/foo (debhelper naming (init))", "rpm %post scriptlet", "systemd ExecStartPre= shell" ... */
  kind: string;
  /** First line of embedded shell in the original file. */
  line?: number;
}

interface VirtualFile {
  origin: string;
  text: string;
  map: PositionMap | null;
}

/** Repository files never looked at: VCS and tool directories, patches and tests of a debian directory. */
function ignored(path: string): boolean {
  return /(^|\/)(\.[^/]*|node_modules)(\/|$)/.test(path) || /(^|\/)debian\/(patches|tests|po|upstream|source|missing-sources)\//.test(path);
}

const UNIT_FILE = /\.(service|socket|timer|path)$/;
const UNIT_DIRS = /^\/(usr\/)?lib\/systemd\/system\/|^\/etc\/systemd\/system\//;
const CONFIG_LIKE = /^\/etc\/(default|conf\.d|sysconfig)\/|^\/(usr\/)?lib\/tmpfiles\.d\/|^\/etc\/tmpfiles\.d\//;

function basename(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1);
}

function dirOf(p: string): string {
  const i = p.lastIndexOf("/");
  return i < 0 ? "" : p.slice(0, i);
}

function join(...parts: string[]): string {
  return parts.filter(Boolean).join("/");
}

export class RepoTarget {
  constructor(
    /** The virtual root the scan runs on. */
    readonly view: FsView,
    readonly scripts: RepoScript[],
    /** Directories created before services start (systemd StateDirectory= ...), for ROR102. */
    readonly createdDirs: string[],
    /** Where each packaging file was placed, for the record. */
    readonly placements: Placement[],
    private readonly files: Map<string, VirtualFile>,
    private readonly originals: Map<string, string>,
  ) {}

  /** The repository path ("/debian/foo.init") of a virtual path, or the path itself when it is no repository file. */
  originOf(virtualPath: string): string {
    const f = this.files.get(virtualPath);
    return f ? "/" + f.origin : virtualPath;
  }

  /** The original text of the repository file behind a virtual path. */
  textOf(virtualPath: string): string | undefined {
    const f = this.files.get(virtualPath);
    return f ? this.originals.get(f.origin) : undefined;
  }

  /** Whether a virtual path is a repository file (sourced files outside the repository are not). */
  has(virtualPath: string): boolean {
    return this.files.has(virtualPath);
  }

  private locate<T extends Location>(loc: T): T & { embedded: boolean } {
    const f = this.files.get("/" + loc.path);
    if (!f) return { ...loc, embedded: false };
    const map = f.map;
    return {
      ...loc,
      path: f.origin,
      column: map ? map.column(loc.line, loc.column) : loc.column,
      endColumn: map ? map.column(loc.endLine, loc.endColumn, true) : loc.endColumn,
      embedded: f.text !== this.originals.get(f.origin),
    };
  }

  /** Findings at repository paths, lines and columns (sorted again: the order may change). */
  remap(findings: Finding[]): Finding[] {
    return findings
      .map((f) => {
        const { embedded, ...at } = this.locate(f);
        const out: Finding = { ...at };
        if (f.related) out.related = f.related.map((r) => {
          const { embedded: _e, ...x } = this.locate(r);
          return x;
        });
        // A mechanical fix is only offered where the shell is the file itself (no embedding quoting to respect).
        if (f.fix) {
          if (embedded) delete out.fix;
          else out.fix = { ...f.fix, replacements: f.fix.replacements.map((r) => { const { embedded: _e, ...x } = this.locate(r); return x; }) };
        }
        return out;
      })
      .sort(compareFindings);
  }

  /** The scripts-list entry for a virtual path: repository path, what it is, where embedded shell starts. */
  describe(virtualPath: string): { path: string; kind?: string; line?: number } {
    const f = this.files.get(virtualPath);
    if (!f) return { path: relative(virtualPath) };
    const s = this.scripts.find((x) => x.path === virtualPath);
    return { path: f.origin, ...(s ? { kind: s.kind } : {}), ...(s?.line ? { line: s.line } : {}) };
  }

  remapDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
    return diagnostics.map((d) => {
      const f = this.files.get("/" + d.path);
      return f ? { ...d, path: f.origin } : d;
    });
  }
}

/** Reads repository files once, noting those that cannot be read. */
class Reader {
  private readonly cache = new Map<string, string | null>();
  constructor(private readonly view: FsView) {}
  async read(origin: string): Promise<string | null> {
    if (this.cache.has(origin)) return this.cache.get(origin)!;
    const r = await this.view.readText("/" + origin);
    const text = r.ok ? r.text : null;
    // A repository holds binary files (icons, test data) that packaging lists name: not worth a note.
    if (!r.ok && !["missing", "not-a-file", "binary"].includes(r.code)) this.view.diagnose("/" + origin, r.code, r.reason);
    this.cache.set(origin, text);
    return text;
  }
}

/** Shell embedded in a repository file, before it is given a virtual path. */
interface PendingEmbedded {
  origin: string;
  label: string;
  text: string;
  masked: Masked;
  script: Omit<RepoScript, "path" | "origin" | "text">;
}

/** What one packaging unit of the repository contributes (a debian/ directory, a recipe's directory, a spec's directory). */
interface Group {
  /** Directory that holds the group's files ("" for the repository root). */
  dir: string;
  placements: Placement[];
  embedded: PendingEmbedded[];
  /** Recipes listed as build-time code. */
  recipes: { origin: string; text: string; kind: string }[];
  /** systemd unit files of the group. */
  units: string[];
}

/**
 * Opens a packaging repository: finds its packaging files and builds the
 * virtual views. Usually one; a repository that packages the same thing
 * several ways (debian/ and an APKBUILD both installing /etc/init.d/foo)
 * gets one virtual root per set of packagings that do not collide, so that
 * each script sees its own package's files at the installed paths.
 */
export async function openRepo(target: string): Promise<RepoTarget[]> {
  const abs = hostResolve(target);
  const st = await fsp.stat(abs);
  if (!st.isDirectory()) throw new Error(`${target}: --repo needs a directory`);
  const repoView = await openDirectory(abs);
  const reader = new Reader(repoView);
  const files = [...repoView.entries()]
    .filter((e) => e.type === "file" || e.type === "symlink")
    .map((e) => relative(e.path))
    .filter((p) => !ignored(p))
    .sort();
  const fileSet = new Set(files);
  const notes: Diagnostic[] = [];
  const note = (path: string, code: string, message: string, line?: number) => notes.push({ path, code, message, ...(line ? { line } : {}) });

  const groups = new Map<string, Group>();
  const group = (dir: string): Group => {
    let g = groups.get(dir);
    if (!g) groups.set(dir, (g = { dir, placements: [], embedded: [], recipes: [], units: [] }));
    return g;
  };
  const groupOf = (path: string): Group => {
    let best: Group | null = null;
    for (const g of groups.values()) if ((g.dir === "" || path.startsWith(g.dir + "/")) && (!best || g.dir.length > best.dir.length)) best = g;
    return best ?? group("");
  };

  // ----- Debian -----
  const debianDirs: DebianDir[] = [];
  for (const f of files) {
    if (f === "debian/control" || f.endsWith("/debian/control")) debianDirs.push({ dir: dirOf(f), root: dirOf(dirOf(f)), packages: [] });
  }
  if (debianDirs.length === 0 && fileSet.has("control") && fileSet.has("rules")) debianDirs.push({ dir: "", root: "", packages: [] });
  for (const deb of debianDirs) {
    const g = group(deb.root);
    deb.packages = controlPackages((await reader.read(join(deb.dir, "control"))) ?? "");
    const inDir = files.filter((f) => (deb.dir ? f.startsWith(deb.dir + "/") : !f.includes("/")));
    const lists = new Map<string, string>();
    for (const f of inDir) {
      const base = f.slice(deb.dir ? deb.dir.length + 1 : 0);
      if (base.includes("/") || !(base === "install" || base.endsWith(".install"))) continue;
      const stem = base === "install" ? deb.packages[0] : base.slice(0, -".install".length);
      if (stem && !deb.packages.includes(stem)) continue; // a udeb's list
      const t = await reader.read(f);
      if (t !== null) lists.set(f, t);
    }
    const rules = await reader.read(join(deb.dir, "rules"));
    // Explicit destinations first (.install, rules), then debhelper naming.
    g.placements.push(...installListPlacements(deb, files, lists));
    if (rules !== null) g.placements.push(...rulesPlacements(deb, files, rules));
    g.placements.push(...namingPlacements(deb, inDir));
  }

  // ----- Arch, Alpine -----
  for (const f of files.filter((x) => basename(x) === "PKGBUILD" || basename(x) === "APKBUILD")) {
    const dir = dirOf(f);
    const g = group(dir);
    const text = await reader.read(f);
    if (text === null) continue;
    const local = (rel: string) => fileSet.has(join(dir, rel));
    try {
      for (const p of await recipeInstalls(text, local)) g.placements.push({ origin: join(dir, p.src), installPath: p.dest, via: `${f} package()` });
    } catch (err) {
      note(f, "recipe-unreadable", `could not read package(): ${(err as Error).message}`);
    }
    g.recipes.push({ origin: f, text, kind: basename(f) === "PKGBUILD" ? "Arch PKGBUILD (build-time)" : "Alpine APKBUILD (build-time)" });
    const siblings = files.filter((x) => dirOf(x) === dir && x !== f);
    if (basename(f) === "PKGBUILD") {
      for (const inst of siblings.filter((x) => x.endsWith(".install"))) {
        const t = await reader.read(inst);
        if (t === null) continue;
        for (const fn of await installFunctions(t)) {
          g.embedded.push({ origin: inst, label: fn.name, text: t, masked: fn.masked, script: { roles: new Set(["maintainer"]), interpreter: "sh", implicit: [], kind: `pacman ${fn.name}()`, line: fn.line } });
        }
      }
    } else {
      for (const s of siblings.filter((x) => APK_SCRIPT.test(x))) g.placements.push({ origin: s, installPath: `/.repo/${s}`, via: "apk install script", roles: ["maintainer"] });
    }
  }

  // ----- RPM -----
  for (const f of files.filter((x) => x.endsWith(".spec"))) {
    const g = group(dirOf(f));
    const text = await reader.read(f);
    if (text === null) continue;
    const spec = parseSpec(text);
    for (const s of spec.scriptlets) {
      if (!s.masked) {
        note(f, "scriptlet-not-shell", s.note ?? "not a shell scriptlet", s.line);
        continue;
      }
      g.embedded.push({ origin: f, label: `%${s.section}@${s.line}`, text, masked: s.masked, script: { roles: new Set(["maintainer"]), interpreter: s.interpreter, implicit: [], kind: `rpm %${s.section} scriptlet`, line: s.line } });
    }
    try {
      for (const p of await specInstalls(spec)) {
        const origin = join(dirOf(f), p.src);
        if (fileSet.has(origin)) g.placements.push({ origin, installPath: p.dest, via: `${f} %install` });
      }
    } catch (err) {
      note(f, "recipe-unreadable", `could not read %install: ${(err as Error).message}`);
    }
  }

  // ----- OpenRC files anywhere: *.initd, *.confd (after the recipes, which may say where they go) -----
  for (const f of files) {
    const m = /^(.*)\.(initd|confd)$/.exec(basename(f));
    if (!m) continue;
    groupOf(f).placements.push({ origin: f, installPath: m[2] === "initd" ? `/etc/init.d/${m[1]}` : `/etc/conf.d/${m[1]}`, via: `OpenRC naming (.${m[2]})` });
  }

  // ----- systemd units anywhere (a placed one is a unit by where it is installed) -----
  const placedAt = new Map<string, string>();
  for (const g of groups.values()) for (const p of g.placements) if (!placedAt.has(p.origin)) placedAt.set(p.origin, p.installPath);
  for (const f of files) {
    const at = placedAt.get(f);
    if (at ? UNIT_DIRS.test(at) && UNIT_FILE.test(at) : UNIT_FILE.test(f)) groupOf(f).units.push(f);
  }

  // ----- Virtual roots: packagings that install different files at the same path go to different roots -----
  const roots: { groups: Group[]; taken: Map<string, string> }[] = [];
  for (const g of [...groups.values()].sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0))) {
    const paths = new Map<string, string>();
    for (const p of g.placements) if (fileSet.has(p.origin) && !paths.has(p.installPath)) paths.set(p.installPath, p.origin);
    let root = roots.find((r) => [...paths].every(([path, origin]) => (r.taken.get(path) ?? origin) === origin));
    if (!root) roots.push((root = { groups: [], taken: new Map() }));
    root.groups.push(g);
    for (const [path, origin] of paths) if (!root.taken.has(path)) root.taken.set(path, origin);
  }
  if (roots.length === 0) roots.push({ groups: [], taken: new Map() });
  const targets: RepoTarget[] = [];
  for (const [i, r] of roots.entries()) targets.push(await buildRoot(abs, r.groups, fileSet, reader, i === 0 ? [...repoView.diagnostics, ...notes] : []));
  return targets;
}

/** One virtual root: placements, embedded shell, units, crontab and logrotate files, whole-file scripts. */
async function buildRoot(abs: string, groups: Group[], fileSet: Set<string>, reader: Reader, diagnostics: Diagnostic[]): Promise<RepoTarget> {
  const notes: Diagnostic[] = [];
  const note = (path: string, code: string, message: string, line?: number) => notes.push({ path, code, message, ...(line ? { line } : {}) });
  const scripts: RepoScript[] = [];
  const createdDirs: string[] = [];
  const embeddedFiles = new Map<string, VirtualFile>();
  const originals = new Map<string, string>();
  const addEmbedded = (e: PendingEmbedded) => {
    const path = `/.repo/${e.origin}#${e.label}`;
    embeddedFiles.set(path, { origin: e.origin, text: e.masked.text, map: e.masked.map });
    originals.set(e.origin, e.text);
    scripts.push({ ...e.script, path, origin: e.origin, text: e.masked.text });
  };
  for (const g of groups) {
    g.embedded.forEach(addEmbedded);
    for (const r of g.recipes) {
      // The recipe itself is build-time code: listed, never checked.
      scripts.push({ path: `/.repo/${r.origin}`, origin: r.origin, text: r.text, roles: new Set(["other"]), interpreter: "bash", implicit: [], kind: r.kind });
      embeddedFiles.set(`/.repo/${r.origin}`, { origin: r.origin, text: r.text, map: null });
      originals.set(r.origin, r.text);
    }
  }

  // ----- One place per file, one file per place -----
  const byOrigin = new Map<string, Placement>();
  const taken = new Map<string, string>();
  for (const p of groups.flatMap((g) => g.placements)) {
    if (byOrigin.has(p.origin) || !fileSet.has(p.origin)) continue;
    const owner = taken.get(p.installPath);
    if (owner !== undefined && owner !== p.origin) {
      note(p.origin, "install-path-taken", `installed at ${p.installPath} (${p.via}), where ${owner} is already placed: checked at its own path`);
      byOrigin.set(p.origin, { ...p, installPath: `/.repo/${p.origin}`, roles: p.roles ?? [...rolesOf(p.installPath, (await reader.read(p.origin)) ?? "", null, undefined)].filter((r) => r !== "other") });
      continue;
    }
    taken.set(p.installPath, p.origin);
    byOrigin.set(p.origin, p);
  }
  const placed = [...byOrigin.values()];
  const virtual = new Map<string, VirtualFile>();
  for (const p of placed) {
    const text = await reader.read(p.origin);
    if (text === null) continue;
    virtual.set(p.installPath, { origin: p.origin, text, map: null });
    originals.set(p.origin, text);
  }

  // ----- systemd units -----
  const unitFiles: { origin: string; name: string; unit: Unit; text: string }[] = [];
  for (const f of groups.flatMap((g) => g.units)) {
    const text = await reader.read(f);
    if (text === null) continue;
    const p = byOrigin.get(f);
    unitFiles.push({ origin: f, name: basename(p && !p.installPath.startsWith("/.repo/") ? p.installPath : f), unit: parseUnit(text), text });
  }
  const unitRole = unitRoles(unitFiles);
  const programCalls: { path: string; roles: Role[] }[] = [];
  for (const u of unitFiles) {
    createdDirs.push(...managedDirectories(u.unit));
    const start = unitRole.get(u.name) ?? null;
    const { shells, programs } = execLines(u.text, u.unit, { name: u.name });
    const implicit = u.unit.list("Service", "EnvironmentFile").map((x) => x.replace(/^-/, "")).filter((x) => x.startsWith("/"));
    const roleOf = (key: string): Role => (start === null || key === "ExecReload" ? "other" : /^ExecStop/.test(key) && start === "boot" ? "shutdown" : start);
    for (const s of shells) {
      addEmbedded({ origin: u.origin, label: `${s.key}@${s.line}`, text: u.text, masked: s.masked, script: { roles: new Set([roleOf(s.key)]), interpreter: s.interpreter, implicit, kind: `systemd ${s.key}= shell`, line: s.line } });
    }
    for (const p of programs) if (roleOf(p.key) !== "other") programCalls.push({ path: p.path, roles: [roleOf(p.key)] });
  }
  const units = new Set(unitFiles.map((u) => u.origin));

  // ----- crontab and logrotate files -----
  for (const p of placed) {
    const text = originals.get(p.origin);
    if (text === undefined) continue;
    const embedded = /^\/etc\/cron\.d\/[^/]+$|^\/etc\/crontab$/.test(p.installPath) ? crontabCommands(text) : /^\/etc\/logrotate\.d\//.test(p.installPath) ? logrotateScripts(text) : [];
    for (const e of embedded) addEmbedded({ origin: p.origin, label: `${e.kind.split(" ")[0]}@${e.line}`, text, masked: e.masked, script: { roles: new Set([e.role]), interpreter: "sh", implicit: [], kind: e.kind, line: e.line } });
  }

  // ----- Whole-file scripts, by where they are installed -----
  for (const p of placed) {
    const vf = virtual.get(p.installPath);
    if (!vf) continue;
    if (units.has(p.origin) || CONFIG_LIKE.test(p.installPath) || /^\/etc\/(cron\.d|logrotate\.d)\/|^\/etc\/crontab$/.test(p.installPath)) continue;
    const interpreter = interpreterOf(vf.text);
    let roles = p.roles ? new Set<Role>(p.roles) : rolesOf(p.installPath, vf.text, interpreter, undefined);
    // No LSB header: update-rc.d's defaults start it in 2-5 and stop it in 0, 1 and 6.
    if (isInitScriptPath(p.installPath) && !p.roles && !parseLsbHeader(vf.text) && interpreter !== "openrc-run") roles = new Set(["boot", "shutdown"]);
    const meaningful = !(roles.size === 1 && roles.has("other"));
    if (interpreter === "") {
      if (meaningful) note(p.origin, "not-shell", `${p.via}: not a shell script (#! ${vf.text.slice(2, vf.text.indexOf("\n")).trim()}): not checked`);
      continue;
    }
    if (interpreter === null && !meaningful) continue;
    scripts.push({ path: p.installPath, origin: p.origin, text: vf.text, roles, interpreter: interpreter ?? "sh", implicit: [], kind: describe(p) });
  }

  // ----- Roles through units: a placed script an enabled unit runs (scan.ts follows calls between scripts) -----
  propagateRoles(scripts, programCalls);

  for (const [k, v] of embeddedFiles) virtual.set(k, v);
  const entries: EntryInit[] = [...virtual].map(([path, f]) => ({ path, type: "file", size: Buffer.byteLength(f.text), mode: 0o755 }));
  const view = new FsView(abs, entries, { read: async (path) => Buffer.from(virtual.get(path)?.text ?? "", "utf8") });
  view.diagnostics.push(...diagnostics, ...notes);
  const sorted = scripts.sort((a, b) => (a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : (a.line ?? 0) - (b.line ?? 0)));
  return new RepoTarget(view, sorted, [...new Set(createdDirs)], placed, virtual, originals);
}

function describe(p: Placement): string {
  return p.installPath.startsWith("/.repo/") ? p.via : `installed at ${p.installPath} (${p.via})`;
}

/**
 * When each unit's commands run: "boot" for enabled units (WantedBy= ...)
 * and what they pull in or activate (sockets, paths), "periodic" for
 * services an enabled timer starts. Units nothing starts are absent.
 */
function unitRoles(units: { name: string; unit: Unit }[]): Map<string, Role> {
  const roles = new Map<string, Role>();
  const queue: string[] = [];
  for (const u of units) {
    if (!isEnabled(u.unit, u.name)) continue;
    roles.set(u.name, "boot");
    queue.push(u.name);
  }
  const byName = new Map(units.map((u) => [u.name, u] as const));
  for (let i = 0; i < queue.length; i++) {
    const name = queue[i]!;
    const u = byName.get(name);
    if (!u) continue;
    const { wants, triggers } = pulls(u.unit, name);
    const via = name.endsWith(".timer") ? "periodic" : "boot";
    for (const t of [...wants.map((w) => [w, "boot"] as const), ...triggers.map((t) => [t, via] as const)]) {
      const [target, role] = t;
      const existing = roles.get(target);
      if (existing === role || (existing && role === "periodic")) continue;
      if (existing === "periodic" && role === "boot") roles.set(target, "boot");
      else if (!existing) roles.set(target, role);
      queue.push(target);
    }
  }
  return roles;
}

/** A placed script that an enabled unit runs directly (`ExecStart=/usr/lib/foo/helper`) runs with the unit's role. */
function propagateRoles(scripts: RepoScript[], calls: { path: string; roles: Role[] }[]): void {
  const byPath = new Map(scripts.filter((s) => !s.path.startsWith("/.repo/")).map((s) => [s.path, s] as const));
  for (const c of calls) {
    const target = byPath.get(c.path) ?? byPath.get(c.path.replace(/^\/usr\//, "/")) ?? byPath.get("/usr" + c.path);
    if (!target || target.roles.has("maintainer")) continue;
    let changed = false;
    for (const r of c.roles) {
      if (!RUNTIME_ROLES.has(r) || target.roles.has(r)) continue;
      target.roles.add(r);
      target.roles.delete("other");
      changed = true;
    }
    if (changed && !target.kind.includes("run by")) target.kind += "; run by an enabled systemd unit";
  }
}

/** The scans of a repository's virtual roots as one result. */
export function mergeRepoResults(results: ScanResult[]): ScanResult {
  if (results.length === 1) return results[0]!;
  const [first, ...rest] = results;
  const out: ScanResult = { ...first!, findings: [...first!.findings], diagnostics: [...first!.diagnostics], parse: { ...first!.parse }, scripts: [...first!.scripts], sources: new Map(first!.sources), texts: new Map(first!.texts ?? []) };
  const seen = new Set(out.diagnostics.map((d) => `${d.path}\0${d.code}\0${d.line ?? ""}\0${d.message}`));
  for (const r of rest) {
    out.findings.push(...r.findings);
    for (const d of r.diagnostics) {
      const key = `${d.path}\0${d.code}\0${d.line ?? ""}\0${d.message}`;
      if (!seen.has(key)) out.diagnostics.push(d);
      seen.add(key);
    }
    out.parse.files += r.parse.files;
    out.parse.filesWithErrors += r.parse.filesWithErrors;
    out.parse.linesInErrors += r.parse.linesInErrors;
    out.parse.lines += r.parse.lines;
    out.scripts.push(...r.scripts);
    for (const [k, v] of r.sources) out.sources.set(k, v);
    for (const [k, v] of r.texts ?? []) out.texts!.set(k, v);
  }
  out.findings.sort(compareFindings);
  out.scripts.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : (a.line ?? 0) - (b.line ?? 0)));
  return out;
}
