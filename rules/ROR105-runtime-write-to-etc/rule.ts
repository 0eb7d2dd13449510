import type { ShellRule } from "../../src/engine/rule.js";
import { isWriteProbe, onlyWhenRootWritable, pathOrDir } from "../../src/engine/scenarios.js";
import { isUnder } from "../../src/rootfs/facts.js";

export const rule: ShellRule = {
  kind: "shell",
  id: "ROR105",
  name: "runtime-write-to-etc",
  level: "error",
  summary: "A file under /etc is written at runtime.",
  description:
    "A boot, shutdown, network-hook or periodic script writes under /etc (redirection, tee, sed -i, cp, mv, ln, install, touch, rm, mkdir, chmod, chown, or a tool known to write there). /etc is part of the read-only root; runtime state belongs in /run or /var, with a symlink from /etc where a fixed path is needed.",
  tags: ["read-only-root", "etc"],
  precision: "high",
  check(program, ctx) {
    for (const e of program.runtimeEffects()) {
      const eff = e.effect;
      if (eff.kind !== "write" && eff.kind !== "remove" && eff.kind !== "mkdir") continue;
      const where = pathOrDir(eff.path);
      if (!where || !isUnder(where, "/etc") || where === "/etc/mtab") continue;
      if (ctx.facts.isWritable(where)) continue;
      if (onlyWhenRootWritable(e.conditions, ctx.facts) || isWriteProbe(e.command)) continue;
      const shown = eff.path.value ?? `${eff.path.prefix}…`;
      const how = eff.kind === "write" ? eff.how : eff.kind === "remove" ? eff.how : "mkdir";
      ctx.report(e, `Writes ${shown} under /etc at runtime (${how}). /etc is read-only; keep runtime state in /run or /var and link to it from /etc.`);
    }
  },
};
