import type { ShellRule } from "../../src/engine/rule.js";

const RESOLV = "/etc/resolv.conf";

export const rule: ShellRule = {
  kind: "shell",
  id: "ROR103",
  name: "replaces-resolv-conf",
  level: "error",
  summary: "/etc/resolv.conf is replaced instead of written through.",
  description:
    "A script replaces the directory entry /etc/resolv.conf (mv, ln -sf, sed -i, install, cp --remove-destination, rm) instead of writing its content. On a read-only root /etc/resolv.conf is a symlink into a writable place; replacing the entry fails, or destroys the link. Write through it: `cat new > /etc/resolv.conf`.",
  tags: ["read-only-root", "etc", "network", "dns"],
  precision: "very-high",
  supersedes: ["ROR105"],
  check(program, ctx) {
    for (const e of program.runtimeEffects()) {
      const eff = e.effect;
      if (eff.kind !== "write" && eff.kind !== "remove") continue;
      if (eff.path.value !== RESOLV || eff.path.resolved) continue;
      if (eff.kind === "write" && !eff.replaces) continue;
      const how = eff.how === "rm" || eff.how === "unlink" ? `removes ${RESOLV}` : `replaces ${RESOLV} (${eff.how})`;
      ctx.report(e, `${how[0]!.toUpperCase()}${how.slice(1)} instead of writing through it. A symlinked resolv.conf on a read-only root breaks; use "cat FILE > ${RESOLV}".`);
    }
  },
};
