import type { ShellRule } from "../../src/engine/rule.js";
import { isWriteProbe, onlyWhenRootWritable } from "../../src/engine/scenarios.js";

export const rule: ShellRule = {
  kind: "shell",
  id: "ROR107",
  name: "writes-etc-mtab",
  level: "error",
  summary: "/etc/mtab is created or rewritten at runtime.",
  description:
    "A script creates or rewrites /etc/mtab at runtime (`> /etc/mtab`, `ln -sf /proc/self/mounts /etc/mtab`). Ship /etc/mtab as a symlink to /proc/self/mounts in the image instead.",
  tags: ["read-only-root", "etc", "mount"],
  precision: "very-high",
  supersedes: ["ROR105"],
  check(program, ctx) {
    for (const e of program.runtimeEffects()) {
      const eff = e.effect;
      if (eff.kind !== "write" && eff.kind !== "remove") continue;
      if (eff.path.value !== "/etc/mtab") continue;
      if (eff.kind === "write" && !eff.replaces && ctx.facts.isWritable("/etc/mtab")) continue;
      if (onlyWhenRootWritable(e.conditions, ctx.facts) || isWriteProbe(e.command)) continue;
      ctx.report(e, `Rewrites /etc/mtab at runtime (${eff.how}). Ship /etc/mtab as a symlink to /proc/self/mounts in the image instead.`);
    }
  },
};
