/**
 * The writable model of a root filesystem: which paths may be written
 * during normal operation once `/` is mounted read-only.
 *
 * The model is a list of areas (a path and everything below it). The most
 * specific area that contains a path decides; a path in no area lies on
 * the read-only root. Areas come from, in increasing precedence when two
 * name the same path:
 *
 * - the FHS defaults: `/var`, `/tmp`, `/run`, `/home`, `/srv`, `/media`
 *   and `/root` (separate mounts or tmpfs on any system prepared for a
 *   read-only root, as the recommendation's "File System Hierarchy" section
 *   asks), and the kernel filesystems `/dev`, `/proc`, `/sys`;
 * - tmpfs mounts that boot scripts make while the root is read-only
 *   (Debian's `mount_tmp`), `/etc/default/tmpfs` (`RAMTMP`, `RAMLOCK`,
 *   `RAMSHM`) and Fedora-style `/etc/rwtab` and `/etc/rwtab.d/*` entries;
 * - enabled systemd `.mount` units (`tmp.mount` and the like);
 * - `/etc/fstab`.
 *
 * Two choices keep the model honest about what "read-only root" means:
 *
 * - A persistent filesystem mounted on `/usr`, `/boot`, `/bin`, `/sbin`,
 *   `/lib*` or `/etc` does not make it writable: the recommendation says
 *   applications "must not attempt to write in these locations" during
 *   normal operation, whichever filesystem holds them (and /etc only
 *   changes by administrative action). A tmpfs there does (it is
 *   deliberate and volatile). `/opt` is not in that list: a separate
 *   writable `/opt` counts.
 * - overlayroot (an overlay whose upper layer catches every write) is
 *   recorded, not counted: every path "works" under it, but the writes
 *   land in RAM and vanish at reboot, and the same image breaks as soon as
 *   the root is really read-only. Rules keep judging the image for a real
 *   read-only root; `rorlint plan` says the overlay is configured.
 *
 * A mount with `ro` makes its area read-only, even inside an FHS default
 * (`/dev/sdb1 /home ext4 ro`). Links are resolved before the lookup (by
 * the caller): `/etc/resolv.conf -> ../run/resolvconf/resolv.conf` lands in
 * `/run`.
 */

export type AreaSource = "fhs" | "kernel" | "boot-script" | "default-tmpfs" | "rwtab" | "mount-unit" | "fstab" | "config";

/** A place in the tree that decides an area (compatible with a rule's TreeLocation). */
export interface Decision {
  path: string;
  line: number;
  column?: number;
  endColumn?: number;
}

export interface WritableArea {
  /** Absolute path inside the root, links resolved. */
  path: string;
  writable: boolean;
  /** Contents are lost at reboot (tmpfs, rwtab). */
  volatile: boolean;
  source: AreaSource;
  /** Human-readable: "tmpfs from /etc/fstab". */
  detail: string;
  decidedAt?: Decision;
}

/** Writable at runtime on any FHS system prepared for a read-only root: separate mounts or tmpfs. */
export const FHS_WRITABLE = ["/var", "/tmp", "/run", "/home", "/srv", "/media", "/root"];
/** Kernel filesystems. */
export const KERNEL_FILESYSTEMS = ["/dev", "/proc", "/sys"];
/** Trees that must not be written during normal operation, whatever filesystem holds them (the recommendation's list, and /etc). */
export const STATIC_TREES = ["/usr", "/boot", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];
/** Filesystem types whose contents live in memory. */
export const VOLATILE_TYPES = new Set(["tmpfs", "ramfs"]);

const RANK: Record<AreaSource, number> = { fhs: 0, kernel: 0, "boot-script": 1, "default-tmpfs": 1, rwtab: 1, "mount-unit": 2, fstab: 3, config: 4 };

/** True when `path` is `dir` or below it. */
export function isUnder(path: string, dir: string): boolean {
  return dir === "/" || path === dir || path.startsWith(dir + "/");
}

/**
 * The writable paths as a set (`RootfsFacts.writableMounts`): reading it
 * lists the paths of writable areas; adding a path declares it writable
 * (the rorlint configuration's `writable` list), as an area of its own.
 */
export class WritablePathSet extends Set<string> {
  private model: WritableModel | null = null;

  bind(model: WritableModel): this {
    this.model = model;
    return this;
  }

  override add(path: string): this {
    if (this.model) this.model.add({ path, writable: true, volatile: false, source: "config", detail: "declared writable in the rorlint configuration" });
    else super.add(path);
    return this;
  }

  /** Keeps the set in step with the model (no new area). */
  record(path: string, writable: boolean): void {
    if (writable) super.add(path);
    else super.delete(path);
  }
}

export class WritableModel {
  readonly areas: WritableArea[] = [];
  /** Paths of writable areas, kept in step with `areas`. */
  readonly paths: WritablePathSet = new WritablePathSet().bind(this);

  /** The FHS defaults only (loose scripts, or before the tree is read). */
  static defaults(): WritableModel {
    const m = new WritableModel();
    for (const p of FHS_WRITABLE) m.add({ path: p, writable: true, volatile: false, source: "fhs", detail: "FHS: a separate filesystem or tmpfs on a read-only root" });
    for (const p of KERNEL_FILESYSTEMS) m.add({ path: p, writable: true, volatile: true, source: "kernel", detail: "kernel filesystem" });
    return m;
  }

  /** A copy of the model as it is now (later additions to either do not reach the other). */
  snapshot(): WritableModel {
    const m = new WritableModel();
    for (const a of this.areas) m.add(a);
    return m;
  }

  /** Drops every area added after the first `count`. */
  truncate(count: number): void {
    const dropped = this.areas.splice(count);
    for (const path of new Set(dropped.map((a) => a.path))) {
      const still = this.areas.some((a) => a.path === path);
      this.paths.record(path, still && (this.areaFor(path)?.writable ?? false));
    }
  }

  add(area: WritableArea): void {
    this.areas.push(area);
    this.paths.record(area.path, this.areaFor(area.path)?.writable ?? false);
  }

  /** The area that decides `path` (already resolved): the most specific, then the highest precedence, then the last added. */
  areaFor(path: string): WritableArea | undefined {
    let best: WritableArea | undefined;
    for (const a of this.areas) {
      if (!isUnder(path, a.path)) continue;
      if (!best || a.path.length > best.path.length || (a.path.length === best.path.length && RANK[a.source] >= RANK[best.source])) best = a;
    }
    return best;
  }

  /** Whether `path` (already resolved) may be written during normal operation with a read-only root. */
  isWritable(path: string): boolean {
    return this.areaFor(path)?.writable ?? false;
  }
}
