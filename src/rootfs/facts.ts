/**
 * Facts about the scanned root filesystem that rules share: its fstab, what
 * tmpfiles.d creates at boot, its init system and systemd units, which
 * paths are writable at runtime (the writable model, `writable.ts`), and
 * what its runtime scripts write and mount (`scripts.ts`). Computed once
 * per scan from the contained view; `learnFrom` adds what each script
 * tells once it is modelled.
 */
import { type FsView, normalize } from "../fs/view.js";
import type { Program } from "../shell/program.js";
import { evaluate } from "../shell/guards.js";
import { readOnlyRoot } from "../engine/scenarios.js";
import { parseFstab, type FstabEntry } from "./fstab.js";
import { createsPath, parseTmpfiles, type TmpfilesLine } from "./tmpfiles.js";
import { detectInit, type InitInfo } from "./init.js";
import { SystemdUnits, type MountUnit, type UnitDirectory } from "./units.js";
import { parseSettings, type Setting } from "./settings.js";
import { parseRwtab, type RwtabLine } from "./rwtab.js";
import { readOverlayroot, type Overlayroot } from "./overlayroot.js";
import { isUnder, STATIC_TREES, VOLATILE_TYPES, WritableModel } from "./writable.js";
import { bootCreatedThroughCalls, bootLinks, bootMounts, runsEveryBoot, runtimeWrites, type BootMount, type ReadOnlyScenario, type RuntimeWrite, type SyntaxCache } from "./scripts.js";
import { effectsOf } from "../shell/effects.js";

export { isUnder } from "./writable.js";
export { FHS_WRITABLE } from "./writable.js";

/**
 * What one script tells about the tree (`RootfsFacts.lessonsOf`): its
 * runtime writes and boot mounts by command, the command that applies
 * tmpfiles.d if it has one, the directories it creates on every boot.
 * Plain data: it can come from another thread.
 */
export interface Lessons {
  writes: [string, RuntimeWrite][];
  runner: string | null;
  created: string[];
  mounts: [string, BootMount][];
}

/** tmpfiles.d directories, lowest precedence first. */
const TMPFILES_DIRS = ["/lib/tmpfiles.d", "/usr/lib/tmpfiles.d", "/usr/local/lib/tmpfiles.d", "/run/tmpfiles.d", "/etc/tmpfiles.d"];

/** /etc/default/tmpfs switches (Debian initscripts) and the mount points they put a tmpfs on. */
const DEFAULT_TMPFS: Record<string, string[]> = { RAMTMP: ["/tmp"], RAMLOCK: ["/run/lock"], RAMSHM: ["/run/shm", "/dev/shm"] };

export class RootfsFacts {
  readonly fstab: FstabEntry[] = [];
  /**
   * tmpfiles.d lines that are applied at boot. Once the scripts are known
   * (`learnFrom`), lines on a tree where nothing applies tmpfiles.d
   * (a sysvinit, OpenRC or runit boot with no `tmpfiles --create` step) move
   * to `tmpfilesInert`: they create nothing when /var starts empty.
   */
  readonly tmpfiles: TmpfilesLine[] = [];
  /** tmpfiles.d lines that nothing applies at boot (see `tmpfiles`). */
  readonly tmpfilesInert: TmpfilesLine[] = [];
  /** What applies tmpfiles.d at boot: "systemd", a boot script's command ("etc/init.d/x:12"), or null when nothing does. */
  tmpfilesRunner: string | null = "assumed";
  /** Directories that a boot script creates (filled from boot-role mkdirs and links). */
  readonly createdAtBoot = new Set<string>();
  /** Which paths may be written at runtime, and why. */
  readonly writable: WritableModel = WritableModel.defaults();
  init: InitInfo = { system: "none", evidence: "no tree" };
  units: SystemdUnits | null = null;
  /** Enabled .mount units (systemd only). */
  readonly mountUnits: MountUnit[] = [];
  /** Directories that services declare (StateDirectory= ...): systemd creates them before the service starts. */
  readonly unitDirectories: UnitDirectory[] = [];
  /** /etc/default/tmpfs settings. */
  readonly defaultTmpfs = new Map<string, Setting>();
  readonly rwtab: RwtabLine[] = [];
  /** overlayroot configuration, when enabled (recorded, not counted as writable: see writable.ts). */
  overlayroot: Overlayroot | null = null;
  /** What runtime scripts write (filled by learnFrom). */
  readonly runtimeWrites: RuntimeWrite[] = [];
  /** tmpfs mounts that boot scripts make (filled by learnFrom). */
  readonly bootMounts: BootMount[] = [];

  private constructor(readonly view: FsView | null) {}

  /** Facts for loose scripts: FHS defaults only, no tree to consult. */
  static none(): RootfsFacts {
    return new RootfsFacts(null);
  }

  static async of(view: FsView): Promise<RootfsFacts> {
    const f = new RootfsFacts(view);
    const fstab = await view.readText("/etc/fstab");
    if (fstab.ok) f.fstab.push(...parseFstab(fstab.text));
    // A file in /etc/tmpfiles.d overrides (or, linked to /dev/null, masks) the same name in /run or /usr/lib.
    const chosen = new Map<string, string>();
    for (const dir of TMPFILES_DIRS) for (const name of view.list(dir)) if (name.endsWith(".conf")) chosen.set(name, `${dir}/${name}`);
    for (const path of [...chosen.values()].sort()) {
      if (view.resolve(path).path === "/dev/null") continue;
      const r = await view.readText(path);
      if (r.ok) f.tmpfiles.push(...parseTmpfiles(r.path, r.text));
    }
    f.init = detectInit(view);
    // systemd's units only matter when systemd may be the init.
    if (!["sysvinit", "openrc", "runit", "busybox", "s6", "dinit"].includes(f.init.system)) {
      f.units = await SystemdUnits.of(view);
      f.mountUnits.push(...f.units.mounts().filter((m) => m.enabled));
      f.unitDirectories.push(...f.units.directories());
    }
    const tmpfs = await view.readText("/etc/default/tmpfs");
    if (tmpfs.ok) for (const [k, s] of parseSettings(tmpfs.path, tmpfs.text)) f.defaultTmpfs.set(k, s);
    for (const path of ["/etc/rwtab", ...view.list("/etc/rwtab.d").map((n) => `/etc/rwtab.d/${n}`)]) {
      const r = await view.readText(path);
      if (r.ok) f.rwtab.push(...parseRwtab(r.path, r.text));
    }
    f.overlayroot = await readOverlayroot(view);
    f.buildWritable();
    return f;
  }

  private buildWritable(): void {
    const w = this.writable;
    for (const [key, paths] of Object.entries(DEFAULT_TMPFS)) {
      const s = this.defaultTmpfs.get(key);
      if (s?.value !== "yes") continue;
      for (const p of paths) w.add({ path: this.resolve(p), writable: true, volatile: true, source: "default-tmpfs", detail: `tmpfs from ${key}=yes in /etc/default/tmpfs`, decidedAt: { path: s.file, line: s.line, column: s.column, endColumn: s.endColumn } });
    }
    for (const r of this.rwtab) {
      w.add({ path: this.resolve(r.path), writable: true, volatile: true, source: "rwtab", detail: `"${r.kind}" entry in ${r.file}`, decidedAt: { path: r.file, line: r.line, column: r.column, endColumn: r.endColumn } });
    }
    for (const m of this.mountUnits) {
      const at = { path: m.unit.path, line: m.line, column: m.column, endColumn: m.endColumn };
      this.addMount(m.where, m.type, m.what, m.options, "mount-unit", `${m.unit.name} (enabled)`, at);
    }
    const binds: FstabEntry[] = [];
    for (const e of this.fstab) {
      if (e.options.includes("bind") || e.options.includes("rbind")) {
        binds.push(e);
        continue;
      }
      const at = { path: "/etc/fstab", line: e.line, column: e.column, endColumn: e.endColumn };
      this.addMount(e.file, e.type, e.spec, e.options, "fstab", `${e.type} from /etc/fstab`, at);
    }
    // Bind mounts: writable where their source is.
    for (const e of binds) {
      if (e.file === "/" || !e.file.startsWith("/")) continue;
      const at = { path: "/etc/fstab", line: e.line, column: e.column, endColumn: e.endColumn };
      const ok = !e.options.includes("ro") && w.isWritable(this.resolve(e.spec));
      w.add({ path: this.resolve(e.file), writable: ok, volatile: w.areaFor(this.resolve(e.spec))?.volatile ?? false, source: "fstab", detail: `bind mount of ${e.spec} from /etc/fstab`, decidedAt: at });
    }
  }

  private addMount(mountPoint: string, type: string, what: string, options: string[], source: "fstab" | "mount-unit", detail: string, at: { path: string; line: number; column?: number; endColumn?: number }): void {
    if (mountPoint === "/" || !mountPoint.startsWith("/") || type === "swap") return;
    // Not mounted at boot (unless automounted on access).
    if (options.includes("noauto") && !options.includes("x-systemd.automount")) return;
    const path = this.resolve(mountPoint);
    const volatile = VOLATILE_TYPES.has(type);
    const readOnly = options.includes("ro");
    // A persistent filesystem holding a static tree is still not written during normal operation.
    if (!volatile && !readOnly && STATIC_TREES.some((t) => isUnder(path, t))) return;
    this.writable.add({ path, writable: !readOnly, volatile, source, detail: readOnly ? `${detail}, mounted ro` : detail, decidedAt: at });
  }

  /** Runtime writes and boot mounts learned so far, by command: a command reached again adds to them. */
  private readonly writeKeys = new Map<string, RuntimeWrite>();
  private readonly mountKeys = new Map<string, BootMount>();
  /** Boot mounts already counted in the writable model. */
  private readonly mountsCounted = new Set<BootMount>();
  /** Boot mounts are judged with the root read-only as the tree alone has it (see `startLearning`). */
  private bootScenario: ReadOnlyScenario | null = null;
  /** What the facts were when learning started, for `relearn`. */
  private beforeLearning: { areas: number; created: string[]; tmpfiles: TmpfilesLine[]; inert: TmpfilesLine[]; runner: string | null } | null = null;

  /**
   * Starts learning what the root filesystem's scripts tell (`learnFrom`),
   * once the tree's facts and any configured writable paths are in. Whether
   * a boot mount happens when the root is read-only is judged with the
   * writable model as it is now, before any boot mount; tmpfiles.d lines on
   * a tree whose init does not apply them are inert until a boot script is
   * found that does.
   */
  startLearning(): void {
    const before = this.writable.snapshot();
    const readOnly = readOnlyRoot({ isWritable: (p) => before.isWritable(this.resolve(p)) });
    this.bootScenario = { holds: (c) => evaluate(c.test, readOnly) };
    this.tmpfilesRunner = tmpfilesRunner(this.init);
    if (this.tmpfilesRunner === null) this.tmpfilesInert.push(...this.tmpfiles.splice(0));
    this.beforeLearning = { areas: this.writable.areas.length, created: [...this.createdAtBoot], tmpfiles: [...this.tmpfiles], inert: [...this.tmpfilesInert], runner: this.tmpfilesRunner };
  }

  /**
   * Adds what one script tells (after `startLearning`): runtime writes
   * (ROR203, the plan), tmpfs mounts that boot scripts make while the root is
   * read-only (writable model, ROR205), directories and links they make on
   * every boot, and whether one applies tmpfiles.d. Facts only grow: a shell
   * rule's answer can change as later scripts are learned (see
   * `src/engine/run.ts`). `syntax` gives the syntax of the files the script
   * reaches (asked for only when a question needs it). Returns the lessons
   * taken in, which `relearn` can take in again.
   */
  async learnFrom(program: Program, syntax: () => SyntaxCache): Promise<Lessons> {
    const lessons = await this.lessonsOf(program, syntax);
    this.absorb(lessons);
    return lessons;
  }

  /**
   * What one script tells, without taking it in (see `learnFrom`). It
   * depends on the script and the tree only, not on what other scripts
   * told: so scripts can be learned from in other threads, and what they
   * told taken in afterwards, in their order (`relearn`).
   */
  async lessonsOf(program: Program, syntax: () => SyntaxCache): Promise<Lessons> {
    const lessons: Lessons = { writes: [], runner: null, created: [], mounts: [] };
    if (!program.isRuntime) return lessons; // no runtime instance (and none unfolded)
    if (!this.bootScenario) this.startLearning();
    const resolve = (p: string) => this.resolve(p);
    const resolveEntry = (p: string) => this.resolveEntry(p);
    const writes = new Map<string, RuntimeWrite>();
    runtimeWrites([program], resolve, writes);
    lessons.writes = [...writes];
    lessons.runner = tmpfilesCommand(program);
    // Directories that boot scripts create on every boot count for every script (ROR102).
    for (const inst of program.instances) {
      if (!inst.roles.includes("boot") || !runsEveryBoot(inst.conditions)) continue;
      for (const eff of effectsOf(inst.command)) if (eff.kind === "mkdir" && eff.path.value) lessons.created.push(this.resolve(eff.path.value));
    }
    lessons.created.push(...bootLinks([program], resolveEntry));
    if (!this.view) return lessons;
    const cache = syntax();
    lessons.created.push(...(await bootCreatedThroughCalls([program], cache, resolveEntry)));
    const mounts = new Map<string, BootMount>();
    await bootMounts([program], cache, resolve, this.bootScenario!, mounts);
    lessons.mounts = [...mounts];
    return lessons;
  }

  /** Takes in the lessons of one script (copies of them: the same lessons can be taken in again by `relearn`). */
  absorb(lessons: Lessons): void {
    if (!this.bootScenario) this.startLearning();
    for (const [key, w] of lessons.writes) {
      const known = this.writeKeys.get(key);
      if (known) {
        // The same command reached from another entry point: one write, every role.
        for (const r of w.roles) if (!known.roles.includes(r)) known.roles.push(r);
        continue;
      }
      const copy = { ...w, roles: [...w.roles] };
      this.writeKeys.set(key, copy);
      this.runtimeWrites.push(copy);
    }
    if (this.tmpfilesRunner === null && lessons.runner !== null) {
      this.tmpfilesRunner = lessons.runner;
      this.tmpfiles.push(...this.tmpfilesInert.splice(0));
    }
    for (const c of lessons.created) this.createdAtBoot.add(c);
    for (const [key, m] of lessons.mounts) {
      const known = this.mountKeys.get(key);
      if (known) {
        // The same command reached again can only make its mount count "when read-only".
        if (m.whenReadOnly) known.whenReadOnly = true;
        continue;
      }
      const copy = { ...m };
      this.mountKeys.set(key, copy);
      this.bootMounts.push(copy);
    }
    for (const m of this.bootMounts) {
      if (!m.whenReadOnly || this.mountsCounted.has(m)) continue;
      this.mountsCounted.add(m);
      this.writable.add({ path: m.path, writable: true, volatile: true, source: "boot-script", detail: `${m.type} mounted by a boot script when the root is read-only`, decidedAt: { path: m.file, line: m.line, column: m.column, endColumn: m.endColumn } });
    }
  }

  /**
   * Forgets every lesson taken in so far and takes in `lessons` instead, in
   * their order: the facts are then what learning from those scripts one
   * after another, in that order, makes them.
   */
  relearn(lessons: Iterable<Lessons>): void {
    const b = this.beforeLearning;
    if (!b) throw new Error("relearn before startLearning");
    this.writeKeys.clear();
    this.mountKeys.clear();
    this.mountsCounted.clear();
    this.runtimeWrites.length = 0;
    this.bootMounts.length = 0;
    this.createdAtBoot.clear();
    for (const c of b.created) this.createdAtBoot.add(c);
    this.tmpfiles.splice(0, Infinity, ...b.tmpfiles);
    this.tmpfilesInert.splice(0, Infinity, ...b.inert);
    this.tmpfilesRunner = b.runner;
    this.writable.truncate(b.areas);
    for (const l of lessons) this.absorb(l);
  }

  /**
   * Mount points writable at runtime (the writable model's areas). Adding a
   * path declares it writable, as the rorlint configuration's `writable` does.
   */
  get writableMounts(): Set<string> {
    return this.writable.paths;
  }

  /** The path with links resolved inside the root (the path itself without a tree). */
  resolve(path: string): string {
    if (!this.view) return normalize(path);
    const r = this.view.resolve(path);
    return r.error ? normalize(path) : r.path;
  }

  /** The path of the entry itself: links on the way resolved, a final link not followed (where `ln -s` and tmpfiles.d `L` create). */
  resolveEntry(path: string): string {
    if (!this.view) return normalize(path);
    const r = this.view.resolve(path, false);
    return r.error ? normalize(path) : r.path;
  }

  /** Whether writing `path` at runtime lands on a writable filesystem, following links in the tree. */
  isWritable(path: string): boolean {
    return this.writable.isWritable(this.resolve(path));
  }

  /** Whether tmpfiles.d, a service's StateDirectory= (and friends) or a boot script creates `dir` (or a path below it). */
  createdAtBootTime(dir: string): boolean {
    return this.creatorOf(dir) !== null;
  }

  /** What creates `dir` (or a path below it) at boot: a tmpfiles.d line, a unit's directory setting, a boot script. */
  creatorOf(dir: string): { kind: "tmpfiles"; line: TmpfilesLine } | { kind: "unit"; directory: UnitDirectory } | { kind: "boot-script"; path: string } | null {
    const d = normalize(dir);
    for (const l of this.tmpfiles) if (createsPath(l) && isUnder(this.resolveEntry(l.path), d)) return { kind: "tmpfiles", line: l };
    for (const u of this.unitDirectories) if (isUnder(this.resolveEntry(u.path), d)) return { kind: "unit", directory: u };
    for (const c of this.createdAtBoot) if (isUnder(c, d)) return { kind: "boot-script", path: c };
    return null;
  }
}

/** Init systems that apply tmpfiles.d by themselves, or trees whose init is unknown (judged leniently). */
const APPLIES_TMPFILES = new Set(["systemd", "other", "none"]);

/** What applies tmpfiles.d at boot by itself: systemd, or an init that is taken to (null: a boot script must, see `tmpfilesCommand`). */
function tmpfilesRunner(init: InitInfo): string | null {
  return APPLIES_TMPFILES.has(init.system) ? (init.system === "systemd" ? "systemd" : "assumed") : null;
}

/** The boot command of a program that applies tmpfiles.d ("etc/init.d/x:12"), if it has one. */
function tmpfilesCommand(p: Program): string | null {
  if (!p.isRuntime) return null; // no boot instance (and none unfolded)
  for (const inst of p.instances) {
    const c = inst.command;
    if (!inst.roles.includes("boot") || (c.name !== "systemd-tmpfiles" && c.name !== "tmpfiles")) continue;
    if (c.args.some((a) => a.value === "--create")) return `${c.file.replace(/^\//, "")}:${c.span.line}`;
  }
  return null;
}

export function underAny(path: string, dirs: Iterable<string>): boolean {
  for (const d of dirs) if (isUnder(path, d)) return true;
  return false;
}
