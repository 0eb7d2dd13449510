/**
 * systemd unit files of the scanned root, as far as the writable model and
 * the /var rules need them: which units exist (with the usual precedence of
 * unit directories), which are masked, which are enabled through `.wants`
 * or `.requires` links, what `.mount` units mount, and which directories
 * services declare (`StateDirectory=` and friends).
 */
import type { FsView } from "../fs/view.js";

/** Unit directories, highest precedence first (systemd.unit(5)). */
export const UNIT_DIRS = ["/etc/systemd/system", "/run/systemd/system", "/usr/local/lib/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system"];

export interface UnitLine {
  section: string;
  key: string;
  value: string;
  line: number;
  column: number;
  endColumn: number;
}

export interface Unit {
  name: string;
  /** Real path of the unit file inside the root. */
  path: string;
  masked: boolean;
  lines: UnitLine[];
}

export interface MountUnit {
  unit: Unit;
  where: string;
  what: string;
  type: string;
  options: string[];
  enabled: boolean;
  /** The `Where=` line, or line 1 when the path comes from the unit's name. */
  line: number;
  column: number;
  endColumn: number;
}

/** A directory a service asks systemd to create before it starts. */
export interface UnitDirectory {
  path: string;
  unit: string;
  file: string;
  line: number;
}

export function parseUnit(text: string): UnitLine[] {
  const out: UnitLine[] = [];
  let section = "";
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    const t = line.trim();
    if (!t || t.startsWith("#") || t.startsWith(";")) return;
    const s = /^\[(.+)\]$/.exec(t);
    if (s) {
      section = s[1]!;
      return;
    }
    const eq = t.indexOf("=");
    if (eq <= 0) return;
    const start = line.length - line.trimStart().length;
    out.push({ section, key: t.slice(0, eq).trim(), value: t.slice(eq + 1).trim(), line: i + 1, column: start + 1, endColumn: line.trimEnd().length + 1 });
  });
  return out;
}

/** "var-lib-foo.mount" -> "/var/lib/foo" (systemd-escape --unescape --path). */
export function unitNameToPath(name: string): string {
  const stem = name.replace(/\.[a-z]+$/, "");
  if (stem === "-") return "/";
  return "/" + stem.split("-").map((p) => p.replace(/\\x([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16)))).join("/");
}

const DIRECTORY_KEYS: Record<string, string> = {
  StateDirectory: "/var/lib",
  CacheDirectory: "/var/cache",
  LogsDirectory: "/var/log",
  RuntimeDirectory: "/run",
};

export class SystemdUnits {
  /** Units by name, the file of highest precedence. */
  readonly units = new Map<string, Unit>();
  /** Unit names that some `.wants`/`.requires` directory links. */
  readonly wanted = new Set<string>();

  private constructor() {}

  static async of(view: FsView): Promise<SystemdUnits> {
    const u = new SystemdUnits();
    const seenDirs = new Set<string>();
    for (const dir of UNIT_DIRS) {
      const real = view.resolve(dir);
      if (real.error || real.entry?.type !== "dir" || seenDirs.has(real.path)) continue;
      seenDirs.add(real.path);
      for (const name of view.list(dir)) {
        const path = `${dir}/${name}`;
        if (/\.(wants|requires|upholds)$/.test(name)) {
          for (const w of view.list(path)) u.wanted.add(w);
          continue;
        }
        if (!/\.(service|mount|socket|target|timer|path|automount|swap)$/.test(name) || u.units.has(name)) continue;
        const r = view.resolve(path);
        if (r.error) continue;
        const masked = r.path === "/dev/null" || (r.entry?.type === "file" && r.entry.size === 0);
        if (masked) {
          u.units.set(name, { name, path: r.path, masked: true, lines: [] });
          continue;
        }
        const text = await view.readText(path);
        if (!text.ok) continue;
        u.units.set(name, { name, path: text.path, masked: false, lines: parseUnit(text.text) });
      }
    }
    return u;
  }

  /** Enabled: the unit exists, is not masked, and a `.wants`/`.requires` link pulls it in. */
  isEnabled(name: string): boolean {
    const unit = this.units.get(name);
    return !!unit && !unit.masked && this.wanted.has(name);
  }

  mounts(): MountUnit[] {
    const out: MountUnit[] = [];
    for (const unit of this.units.values()) {
      if (unit.masked || !unit.name.endsWith(".mount")) continue;
      const get = (key: string) => [...unit.lines].reverse().find((l) => l.section === "Mount" && l.key === key);
      const where = get("Where");
      out.push({
        unit,
        where: (where?.value ?? unitNameToPath(unit.name)).replace(/(.)\/+$/, "$1"),
        what: get("What")?.value ?? "",
        type: get("Type")?.value ?? "",
        options: (get("Options")?.value ?? "").split(",").filter(Boolean),
        enabled: this.isEnabled(unit.name),
        line: where?.line ?? 1,
        column: where?.column ?? 1,
        endColumn: where?.endColumn ?? 1,
      });
    }
    return out;
  }

  /** Directories services declare with StateDirectory=, CacheDirectory=, LogsDirectory=, RuntimeDirectory=. */
  directories(): UnitDirectory[] {
    const out: UnitDirectory[] = [];
    for (const unit of this.units.values()) {
      if (unit.masked || !unit.name.endsWith(".service")) continue;
      for (const l of unit.lines) {
        const base = l.section === "Service" ? DIRECTORY_KEYS[l.key] : undefined;
        if (!base) continue;
        for (const item of l.value.split(/\s+/).filter(Boolean)) {
          // "foo:bar" makes a symlink bar -> foo; both exist afterwards.
          for (const rel of item.split(":")) {
            if (!rel || rel.startsWith("/") || rel.includes("..") || rel.includes("%")) continue;
            out.push({ path: `${base}/${rel.replace(/\/+$/, "")}`, unit: unit.name, file: unit.path, line: l.line });
          }
        }
      }
    }
    return out;
  }
}
