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

function confFiles(ctx: RootfsContext, main: string, dir: string): string[] {
  return [main, ...ctx.view.list(dir).map((n) => `${dir}/${n}`)];
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
  const macros = ["/usr/lib/rpm/macros", ...v.list("/usr/lib/rpm/macros.d").map((n) => `/usr/lib/rpm/macros.d/${n}`), "/etc/rpm/macros", ...v.list("/etc/rpm").filter((n) => n.startsWith("macros")).map((n) => `/etc/rpm/${n}`)];
  const rpmSetting = await setting(ctx, macros, /^\s*%_dbpath\s+(\S+)/);
  const rpmDir = rpmSetting && !rpmSetting.value.includes("%") ? rpmSetting.value : "/var/lib/rpm";
  if (v.resolve(rpmDir).entry?.type === "dir") {
    out.push({ manager: "rpm", dir: rpmDir, decidedAt: rpmSetting ?? { path: evidence(ctx, rpmDir, ["rpmdb.sqlite", "Packages"]) } });
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
