import type { RootfsContext, RootfsRule } from "../../src/engine/rule.js";
import { isUnder } from "../../src/rootfs/facts.js";

interface DbLocation {
  manager: string;
  /** The database directory as configured (or the default). */
  dir: string;
  /** Where the choice is made: a config line, or the database itself. */
  decidedAt: { path: string; line?: number; column?: number; endColumn?: number };
}

/** Finds `key value` style settings: the last one wins, as in dpkg.cfg and pacman.conf. */
async function setting(ctx: RootfsContext, files: string[], re: RegExp): Promise<{ value: string; path: string; line: number; column: number; endColumn: number } | null> {
  let found: { value: string; path: string; line: number; column: number; endColumn: number } | null = null;
  for (const f of files) {
    const r = await ctx.view.readText(f);
    if (!r.ok) continue;
    r.text.split("\n").forEach((line, i) => {
      const m = re.exec(line);
      if (m) found = { value: m[1]!.trim(), path: r.path, line: i + 1, column: line.length - line.trimStart().length + 1, endColumn: line.trimEnd().length + 1 };
    });
  }
  return found;
}

/**
 * dpkg reads its configuration fragments first (names of letters, digits,
 * `_` and `-` only, in order), then the main file: a setting in dpkg.cfg
 * wins over one in dpkg.cfg.d.
 */
function confFiles(ctx: RootfsContext, main: string, dir: string): string[] {
  return [...ctx.view.list(dir).filter((n) => /^[0-9a-zA-Z_-]+$/.test(n)).map((n) => `${dir}/${n}`), main];
}

/** rpm's macro files, in the order rpm reads them (rpmrc `macrofiles`): the last definition wins. */
function rpmMacroFiles(ctx: RootfsContext): string[] {
  const v = ctx.view;
  const dotted = (dir: string) => v.list(dir).filter((n) => n.startsWith("macros.")).map((n) => `${dir}/${n}`);
  return ["/usr/lib/rpm/macros", ...dotted("/usr/lib/rpm/macros.d"), "/usr/lib/rpm/redhat/macros", ...dotted("/etc/rpm"), "/etc/rpm/macros"];
}

/** Built-in directory macros, as rpm defines them. */
const RPM_DEFAULTS: Record<string, string> = { _usr: "/usr", _prefix: "/usr", _var: "/var", _localstatedir: "/var", _sharedstatedir: "/var/lib" };

/** Expands `%{name}` and `%name` from the macro files' simple definitions; null when something stays unknown. */
async function expandRpm(ctx: RootfsContext, value: string, files: string[]): Promise<string | null> {
  const defs = new Map(Object.entries(RPM_DEFAULTS));
  for (const f of files) {
    const r = await ctx.view.readText(f);
    if (!r.ok) continue;
    for (const line of r.text.split("\n")) {
      const m = /^\s*%([A-Za-z_][A-Za-z0-9_]*)\s+(\S+)\s*$/.exec(line);
      if (m) defs.set(m[1]!, m[2]!);
    }
  }
  let out = value;
  for (let i = 0; i < 10 && out.includes("%"); i++) {
    out = out.replace(/%\{([A-Za-z_][A-Za-z0-9_]*)\}|%([A-Za-z_][A-Za-z0-9_]*)/g, (m, a: string | undefined, b: string | undefined) => defs.get((a ?? b)!) ?? m);
  }
  return out.includes("%") || !out.startsWith("/") ? null : out;
}

/** A file inside the database, to point a finding at when no config line decides. */
function evidence(ctx: RootfsContext, dir: string, candidates: string[]): string {
  for (const c of candidates) if (ctx.view.resolve(`${dir}/${c}`).entry?.type === "file") return ctx.view.resolve(`${dir}/${c}`).path;
  return ctx.view.resolve(dir).path;
}

async function locations(ctx: RootfsContext): Promise<DbLocation[]> {
  const out: DbLocation[] = [];
  const v = ctx.view;
  // dpkg: `admindir` in dpkg.cfg, default /var/lib/dpkg.
  const admin = await setting(ctx, confFiles(ctx, "/etc/dpkg/dpkg.cfg", "/etc/dpkg/dpkg.cfg.d"), /^\s*admindir[\s=]+(\S+)/);
  const dpkgDir = admin?.value ?? "/var/lib/dpkg";
  if (v.resolve(dpkgDir).entry?.type === "dir") {
    out.push({ manager: "dpkg", dir: dpkgDir, decidedAt: admin ?? { path: evidence(ctx, dpkgDir, ["status"]) } });
  }
  // pacman: DBPath in pacman.conf, default /var/lib/pacman/.
  const dbpath = await setting(ctx, ["/etc/pacman.conf"], /^\s*DBPath\s*=\s*(\S+)/);
  const pacmanDir = (dbpath?.value ?? "/var/lib/pacman").replace(/\/+$/, "");
  if (v.resolve(`${pacmanDir}/local`).entry?.type === "dir") {
    out.push({ manager: "pacman", dir: `${pacmanDir}/local`, decidedAt: dbpath ?? { path: evidence(ctx, `${pacmanDir}/local`, ["ALPM_DB_VERSION"]) } });
  }
  // rpm: %_dbpath in macros files, default /var/lib/rpm.
  const macros = rpmMacroFiles(ctx);
  const rpmSetting = await setting(ctx, macros, /^\s*%_dbpath\s+(\S+)/);
  const expanded = rpmSetting ? await expandRpm(ctx, rpmSetting.value, macros) : null;
  const rpmDir = expanded ?? "/var/lib/rpm";
  if (v.resolve(rpmDir).entry?.type === "dir") {
    out.push({ manager: "rpm", dir: rpmDir, decidedAt: expanded && rpmSetting ? rpmSetting : { path: evidence(ctx, rpmDir, ["rpmdb.sqlite", "Packages"]) } });
  }
  // opkg: /var/lib/opkg unless opkg.conf says otherwise.
  const opkgSetting = await setting(ctx, ["/etc/opkg/opkg.conf", ...v.list("/etc/opkg").map((n) => `/etc/opkg/${n}`)], /^\s*option\s+info_dir\s+(\S+)/);
  const opkgDir = opkgSetting ? opkgSetting.value.replace(/\/info\/?$/, "") : "/var/lib/opkg";
  if (v.resolve(opkgDir).entry?.type === "dir") {
    out.push({ manager: "opkg", dir: opkgDir, decidedAt: opkgSetting ?? { path: evidence(ctx, opkgDir, ["status"]) } });
  }
  return out;
}

export const rule: RootfsRule = {
  kind: "rootfs",
  id: "ROR201",
  name: "package-db-under-var",
  level: "warning",
  summary: "The package manager's database lives under /var: it should be in /usr.",
  description:
    "The package database (dpkg's admindir, pacman's DBPath, rpm's %_dbpath, opkg's state) lives under /var. It only changes when packages are installed or removed, so it is not variable data: it belongs with the files it describes, under /usr, and a /var that starts empty loses it.",
  tags: ["read-only-root", "var", "package-manager", "distribution"],
  precision: "very-high",
  async check(ctx) {
    for (const loc of await locations(ctx)) {
      const real = ctx.view.resolve(loc.dir).path;
      if (!isUnder(real, "/var")) continue;
      ctx.report(loc.decidedAt, `${real} should be in /usr. The ${loc.manager} database only changes when packages are installed or removed, so it is not variable data, and a /var that starts empty loses it.`);
    }
  },
};
