/**
 * Entry points declared by the tree's own startup configuration: which
 * scripts /etc/inittab, enabled systemd units and timers, and the cron
 * tables run, and when. Also the shell embedded in cron tables, which runs
 * as it is written there.
 */
import type { Role } from "../types.js";
import type { FsView } from "../fs/view.js";

export class RoleMap {
  readonly byPath = new Map<string, Set<Role>>();

  add(path: string, role: Role): void {
    let set = this.byPath.get(path);
    if (!set) this.byPath.set(path, (set = new Set()));
    set.add(role);
  }

  get(path: string): Set<Role> | undefined {
    return this.byPath.get(path);
  }
}

/** The program a command line starts: its first word, when it is an absolute path. */
function executable(commandLine: string): string | null {
  const first = commandLine.trim().split(/\s+/)[0] ?? "";
  return first.startsWith("/") ? first : null;
}

/** /etc/inittab: `id:runlevels:action:process`. */
async function inittab(view: FsView, roles: RoleMap): Promise<void> {
  const r = await view.readText("/etc/inittab");
  if (!r.ok) return;
  for (const raw of r.text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const [, levels = "", action = "", ...rest] = line.split(":");
    const exe = executable(rest.join(":"));
    if (!exe) continue;
    const args = rest.join(":").trim().split(/\s+/).slice(1);
    const path = view.resolve(exe).path;
    if (action === "sysinit" || action === "boot" || action === "bootwait") roles.add(path, "boot");
    else if (action === "wait" || action === "once") {
      // `l0:0:wait:/etc/init.d/rc 0`: runlevels 0 and 6 are shutdown, the others boot.
      const lv = levels || args[0] || "";
      if (/[06]/.test(lv)) roles.add(path, "shutdown");
      if (/[1-5S]/.test(lv)) roles.add(path, "boot");
    }
  }
}

const UNIT_DIRS = ["/etc/systemd/system", "/run/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system"];

/** Reads a unit file's `Key=value` settings (continuation lines joined). */
function unitSettings(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const joined = text.replace(/\\\n/g, " ");
  for (const raw of joined.split("\n")) {
    const m = /^\s*([A-Za-z]+)\s*=\s*(.*)$/.exec(raw);
    if (!m) continue;
    const list = out.get(m[1]!) ?? [];
    list.push(m[2]!.trim());
    out.set(m[1]!, list);
  }
  return out;
}

/** `ExecStart=-/usr/lib/x arg`: the executable, without systemd's prefixes. */
function execPath(value: string): string | null {
  return executable(value.replace(/^[-@+!:|]+/, ""));
}

async function findUnit(view: FsView, name: string): Promise<string | null> {
  for (const dir of UNIT_DIRS) {
    const r = view.resolve(`${dir}/${name}`);
    if (r.entry?.type === "file") return r.path;
  }
  return null;
}

/** Enabled systemd units (links in *.wants directories) and the scripts they run. */
async function systemd(view: FsView, roles: RoleMap): Promise<void> {
  const enabled = new Set<string>();
  for (const dir of UNIT_DIRS) {
    for (const name of view.list(dir)) {
      if (!name.endsWith(".wants")) continue;
      for (const unit of view.list(`${dir}/${name}`)) enabled.add(unit);
    }
  }
  for (const unit of [...enabled].sort()) {
    const path = await findUnit(view, unit);
    if (!path || view.resolve(path).path === "/dev/null") continue;
    const text = await view.readText(path);
    if (!text.ok) continue;
    const settings = unitSettings(text.text);
    if (unit.endsWith(".timer")) {
      // A timer starts its service (Unit=, or the same name) periodically.
      const service = settings.get("Unit")?.[0] ?? unit.replace(/\.timer$/, ".service");
      await serviceScripts(view, service, roles, "periodic", "periodic");
    } else if (unit.endsWith(".service")) {
      await serviceScripts(view, unit, roles, "boot", "shutdown");
    }
  }
}

async function serviceScripts(view: FsView, unit: string, roles: RoleMap, start: Role, stop: Role): Promise<void> {
  const path = await findUnit(view, unit);
  if (!path) return;
  const text = await view.readText(path);
  if (!text.ok) return;
  const settings = unitSettings(text.text);
  for (const [key, role] of [
    ["ExecStartPre", start],
    ["ExecStart", start],
    ["ExecStartPost", start],
    ["ExecStop", stop],
    ["ExecStopPost", stop],
  ] as const) {
    for (const value of settings.get(key) ?? []) {
      const exe = execPath(value);
      if (exe) roles.add(view.resolve(exe).path, role);
    }
  }
}

/** A cron table with everything but its commands blanked out, so positions stay those of the file. */
export interface CronTable {
  path: string;
  text: string;
  /** Same length and lines as the file; only the command fields are kept. */
  masked: string;
}

/** System crontab lines have a user field; user crontabs do not. */
export function maskCrontab(text: string, hasUserField: boolean): string {
  return text
    .split("\n")
    .map((line) => {
      const trimmed = line.trim();
      if (!trimmed || trimmed.startsWith("#") || /^[A-Za-z_][A-Za-z0-9_]*\s*=/.test(trimmed)) return " ".repeat(line.length);
      const fields = trimmed.startsWith("@") ? 1 : 5;
      const skip = fields + (hasUserField ? 1 : 0);
      // Find where the command starts: after `skip` whitespace-separated fields.
      const re = new RegExp(`^\\s*(?:\\S+\\s+){${skip}}`);
      const m = re.exec(line);
      if (!m) return " ".repeat(line.length);
      let command = line.slice(m[0].length);
      // An unescaped % ends the command (the rest is standard input).
      const pct = command.search(/(?<!\\)%/);
      if (pct >= 0) command = command.slice(0, pct);
      return " ".repeat(m[0].length) + command + " ".repeat(line.length - m[0].length - command.length);
    })
    .join("\n");
}

async function cronTables(view: FsView): Promise<CronTable[]> {
  const tables: CronTable[] = [];
  const add = async (path: string, hasUser: boolean) => {
    const r = await view.readText(path);
    if (r.ok) tables.push({ path: r.path, text: r.text, masked: maskCrontab(r.text, hasUser) });
  };
  if (view.lstat("/etc/crontab")) await add("/etc/crontab", true);
  for (const name of view.list("/etc/cron.d")) if (!name.startsWith(".") && !name.includes("~")) await add(`/etc/cron.d/${name}`, true);
  for (const name of view.list("/var/spool/cron/crontabs")) await add(`/var/spool/cron/crontabs/${name}`, false);
  return tables;
}

export interface Startup {
  roles: RoleMap;
  cron: CronTable[];
}

export async function startupEntries(view: FsView): Promise<Startup> {
  const roles = new RoleMap();
  await inittab(view, roles);
  await systemd(view, roles);
  return { roles, cron: await cronTables(view) };
}
