import type { ShellRule } from "../../src/engine/rule.js";
import { isWriteProbe, onlyWhenRootWritable, pathOrDir } from "../../src/engine/scenarios.js";
import { underAny } from "../../src/rootfs/facts.js";

export const STATIC_TREES = ["/usr", "/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin", "/boot", "/opt"];

export const rule: ShellRule = {
  kind: "shell",
  id: "ROR106",
  name: "runtime-write-to-static-tree",
  level: "error",
  summary: "A static part of the tree (/usr, /lib, /bin, /sbin, /boot, /opt) is written at runtime.",
  description:
    "A boot, shutdown, network-hook or periodic script writes under /usr, /lib*, /bin, /sbin, /boot or /opt (redirection, depmod, update-initramfs ...). These hold static data that only changes during administrative actions such as package installation.",
  tags: ["read-only-root", "usr", "fhs"],
  precision: "high",
  check(program, ctx) {
    for (const e of program.runtimeEffects()) {
      const eff = e.effect;
      if (eff.kind !== "write" && eff.kind !== "remove" && eff.kind !== "mkdir") continue;
      const where = pathOrDir(eff.path);
      if (!where || !underAny(where, STATIC_TREES)) continue;
      if (ctx.facts.isWritable(where)) continue;
      if (onlyWhenRootWritable(e.conditions, ctx.facts) || isWriteProbe(e.command)) continue;
      const shown = eff.path.value ?? `${eff.path.prefix}…`;
      ctx.report(e, `Writes ${shown} in a static tree at runtime (${eff.kind === "mkdir" ? "mkdir" : eff.how}). Such data only changes during package installation; do this in a maintainer script or keep it under /var.`);
    }
  },
};
