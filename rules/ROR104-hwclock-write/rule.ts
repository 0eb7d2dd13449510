import type { ShellRule } from "../../src/engine/rule.js";
import { decidedByUserConfiguration } from "../../src/engine/scenarios.js";

export const rule: ShellRule = {
  kind: "shell",
  id: "ROR104",
  name: "hwclock-write",
  level: "warning",
  summary: "The hardware clock or /etc/adjtime is written without the user asking.",
  description:
    "A boot, shutdown or runtime script sets the hardware clock or updates the drift file /etc/adjtime (hwclock --systohc, --adjust, --set) unless the user opted in through configuration. On a read-only root the drift file cannot be written, and the seed's rule is that the hardware clock is not touched unless the user configures it.",
  tags: ["read-only-root", "hwclock", "etc"],
  precision: "high",
  supersedes: ["ROR105"],
  check(program, ctx) {
    for (const e of program.runtimeEffects()) {
      const eff = e.effect;
      if (eff.kind !== "hwclock" || (!eff.writesRtc && !eff.writesAdjfile)) continue;
      if (decidedByUserConfiguration(e.conditions)) continue;
      const what = eff.writesRtc && eff.writesAdjfile ? "Writes the hardware clock and /etc/adjtime" : eff.writesRtc ? "Writes the hardware clock" : "Updates /etc/adjtime";
      ctx.report(e, `${what} (hwclock --${eff.action}) without the user asking for it. Make it opt-in through configuration, and pass --noadjfile when the root is read-only.`);
    }
  },
};
