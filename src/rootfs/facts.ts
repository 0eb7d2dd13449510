/**
 * Facts about the scanned root filesystem that rules share: its fstab, what
 * tmpfiles.d creates at boot, and which paths are writable at runtime.
 * Computed once per scan from the contained view.
 */
import { type FsView, normalize } from "../fs/view.js";
import { parseFstab, type FstabEntry } from "./fstab.js";
import { createsPath, parseTmpfiles, type TmpfilesLine } from "./tmpfiles.js";

/** Writable at runtime on any FHS system with a read-only root: separate mounts, tmpfs or kernel filesystems. */
export const FHS_WRITABLE = ["/var", "/tmp", "/run", "/home", "/srv", "/media", "/dev", "/proc", "/sys"];

/** tmpfiles.d directories, lowest precedence first. */
const TMPFILES_DIRS = ["/lib/tmpfiles.d", "/usr/lib/tmpfiles.d", "/usr/local/lib/tmpfiles.d", "/run/tmpfiles.d", "/etc/tmpfiles.d"];

export class RootfsFacts {
  readonly fstab: FstabEntry[] = [];
  readonly tmpfiles: TmpfilesLine[] = [];
  /** Mount points writable at runtime. */
  readonly writableMounts = new Set<string>(FHS_WRITABLE);
  /** Directories that a boot script creates (filled by the engine from boot-role mkdirs). */
  readonly createdAtBoot = new Set<string>();

  private constructor(readonly view: FsView | null) {}

  /** Facts for loose scripts: FHS defaults only, no tree to consult. */
  static none(): RootfsFacts {
    return new RootfsFacts(null);
  }

  static async of(view: FsView): Promise<RootfsFacts> {
    const f = new RootfsFacts(view);
    const fstab = await view.readText("/etc/fstab");
    if (fstab.ok) f.fstab.push(...parseFstab(fstab.text));
    for (const e of f.fstab) {
      if (e.file === "/" || !e.file.startsWith("/")) continue;
      if (e.type === "swap" || e.options.includes("ro")) continue;
      f.writableMounts.add(e.file);
    }
    // A file in /etc/tmpfiles.d overrides (or, linked to /dev/null, masks) the same name in /run or /usr/lib.
    const chosen = new Map<string, string>();
    for (const dir of TMPFILES_DIRS) for (const name of view.list(dir)) if (name.endsWith(".conf")) chosen.set(name, `${dir}/${name}`);
    for (const path of [...chosen.values()].sort()) {
      if (view.resolve(path).path === "/dev/null") continue;
      const r = await view.readText(path);
      if (r.ok) f.tmpfiles.push(...parseTmpfiles(r.path, r.text));
    }
    return f;
  }

  /** The path with links resolved inside the root (the path itself without a tree). */
  resolve(path: string): string {
    if (!this.view) return normalize(path);
    const r = this.view.resolve(path);
    return r.error ? normalize(path) : r.path;
  }

  /** Whether writing `path` at runtime lands on a writable filesystem, following links in the tree. */
  isWritable(path: string): boolean {
    return underAny(this.resolve(path), this.writableMounts);
  }

  /** Whether tmpfiles.d or a boot script creates `dir` (or a path below it). */
  createdAtBootTime(dir: string): boolean {
    const d = normalize(dir);
    for (const l of this.tmpfiles) if (createsPath(l) && isUnder(normalize(l.path), d)) return true;
    for (const c of this.createdAtBoot) if (isUnder(c, d)) return true;
    return false;
  }
}

/** True when `path` is `dir` or below it. */
export function isUnder(path: string, dir: string): boolean {
  return dir === "/" || path === dir || path.startsWith(dir + "/");
}

export function underAny(path: string, dirs: Iterable<string>): boolean {
  for (const d of dirs) if (isUnder(path, d)) return true;
  return false;
}
