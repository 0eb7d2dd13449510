import type { ShellRule } from "../../src/engine/rule.js";
import { decidedByConfiguration } from "../../src/engine/scenarios.js";

export const rule: ShellRule = {
  kind: "shell",
  id: "ROR101",
  name: "remount-root-rw",
  level: "error",
  summary: "The root filesystem is remounted read-write with a literal rw.",
  description:
    "A boot or runtime script remounts / read-write with a literal `rw` option, overriding the `ro` flag of the root entry in /etc/fstab. Leave the mode to fstab (`mount -o remount /`), the kernel command line or user configuration.",
  tags: ["read-only-root", "mount", "boot"],
  precision: "very-high",
  check(program, ctx) {
    for (const e of program.runtimeEffects()) {
      const eff = e.effect;
      if (eff.kind !== "remount" || eff.target.value !== "/" || eff.mode !== "rw") continue;
      if (decidedByConfiguration(e.conditions)) continue;
      ctx.report(e, `Remounts the root filesystem read-write with a literal "rw". The ro flag in /etc/fstab is ignored; use "mount -o remount /" so fstab decides.`);
    }
  },
};
