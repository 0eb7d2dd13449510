import type { ShellRule } from "../../src/engine/rule.js";
import { parentDir } from "../../src/engine/scenarios.js";
import { classify, existencePath } from "../../src/shell/guards.js";
import { before, type EffectInstance } from "../../src/shell/program.js";
import { isUnder } from "../../src/rootfs/facts.js";
import type { Condition, Word } from "../../src/shell/model.js";

/** Directories of /var that every system has; anything below them, or beside them, is custom. */
export const STANDARD_VAR_DIRS = ["log", "lib", "cache", "spool", "tmp", "mail", "backups", "local", "opt", "run", "lock"];

/** The custom directory a path under /var needs ("/var/log/foo/x" -> "/var/log/foo"), or null. */
export function customVarDir(path: string): string | null {
  const parts = path.split("/").filter(Boolean);
  if (parts[0] !== "var" || parts.length < 2) return null;
  if (!STANDARD_VAR_DIRS.includes(parts[1]!)) return `/var/${parts[1]}`;
  return parts.length >= 3 ? `/var/${parts[1]}/${parts[2]}` : null;
}

/** How a word is written, quotes dropped and `${X}` as `$X`: `"$LOGDIR"/config` is `$LOGDIR/config`. */
function spelling(w: Word): string {
  return w.text.replace(/["']/g, "").replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, "$$$1");
}

/** Conditions that do not stop a mkdir from ensuring the directory: "create it if missing". */
function ensures(c: Condition): boolean {
  return classify(c) === "existence";
}

/** The write only happens when the directory (or something in it) exists: `[ -d D ] && ...`, `[ -f D/x ] || exit`. */
function onlyIfExists(conditions: readonly Condition[], dir: string, resolve: (p: string) => string): boolean {
  return conditions.some((c) => {
    const p = existencePath(c.test);
    if (p === null || !isUnder(resolve(p), dir)) return false;
    const negated = c.test.kind === "not";
    return c.when !== negated;
  });
}

function dominates(mkdir: EffectInstance, write: EffectInstance): boolean {
  if (!before(mkdir.position, write.position)) return false;
  const writeConds = new Set(write.conditions);
  return mkdir.conditions.every((c) => writeConds.has(c) || ensures(c));
}

export const rule: ShellRule = {
  kind: "shell",
  id: "ROR102",
  name: "var-subdir-not-created",
  level: "warning",
  summary: "A custom subdirectory of /var is written without being created first.",
  description:
    "A script writes into a custom subdirectory of /var (below /var/log, /var/lib, /var/cache ...) without creating it on every path before the write. With /var on an empty tmpfs or a fresh partition the directory does not exist and the write fails. Create it first (`mkdir -p`, `install -d`) or declare it in tmpfiles.d.",
  tags: ["read-only-root", "var", "fhs"],
  precision: "high",
  check(program, ctx) {
    const effects = [...program.runtimeEffects()];
    // mkdir effects of every role: a directory made by the script itself counts wherever it runs.
    const mkdirs = [...program.allEffects()].filter((e) => e.effect.kind === "mkdir");
    for (const e of effects) {
      const eff = e.effect;
      if (eff.kind !== "write") continue;
      const parent = parentDir(eff.path);
      if (!parent) continue;
      const dir = ctx.facts.resolve(parent);
      const custom = customVarDir(dir);
      if (!custom) continue;
      if (ctx.facts.createdAtBootTime(dir)) continue;
      if (onlyIfExists(e.conditions, dir, (p) => ctx.facts.resolve(p))) continue;
      const made = mkdirs.some((m) => {
        if (m.effect.kind !== "mkdir" || !dominates(m, e)) return false;
        const p = m.effect.path.value;
        // Known paths compare as paths; computed ones by how they are written (`mkdir "$D"` then `> "$D/x"`).
        if (p !== null) return isUnder(ctx.facts.resolve(p), dir);
        const made = spelling(m.effect.path);
        const written = spelling(eff.path);
        return made.includes("$") && written.startsWith(made + "/");
      });
      if (made) continue;
      ctx.report(e, `Writes into ${dir}, which is not created on every path before this write. /var may start empty; run "mkdir -p ${dir}" first or add a tmpfiles.d line for it.`);
    }
  },
};
