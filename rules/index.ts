/** The rule registry: every rule rorlint ships, in id order. */
import type { Rule } from "../src/engine/rule.js";
import { rule as ROR001 } from "./ROR001-unused-suppression/rule.js";
import { rule as ROR101 } from "./ROR101-remount-root-rw/rule.js";
import { rule as ROR102 } from "./ROR102-var-subdir-not-created/rule.js";
import { rule as ROR103 } from "./ROR103-replaces-resolv-conf/rule.js";
import { rule as ROR104 } from "./ROR104-hwclock-write/rule.js";
import { rule as ROR105 } from "./ROR105-runtime-write-to-etc/rule.js";
import { rule as ROR106 } from "./ROR106-runtime-write-to-static-tree/rule.js";
import { rule as ROR107 } from "./ROR107-writes-etc-mtab/rule.js";
import { rule as ROR201 } from "./ROR201-package-db-under-var/rule.js";
import { rule as ROR202 } from "./ROR202-mtab-not-proc-symlink/rule.js";
import { rule as ROR203 } from "./ROR203-resolv-conf-not-redirectable/rule.js";
import { rule as ROR204 } from "./ROR204-root-not-mounted-ro/rule.js";
import { rule as ROR205 } from "./ROR205-tmp-not-tmpfs/rule.js";
import { rule as ROR206 } from "./ROR206-var-not-recreated-at-boot/rule.js";
import { rule as ROR207 } from "./ROR207-machine-id-missing/rule.js";
import { rule as ROR208 } from "./ROR208-var-run-not-symlink/rule.js";

export const RULES: readonly Rule[] = [ROR001, ROR101, ROR102, ROR103, ROR104, ROR105, ROR106, ROR107, ROR201, ROR202, ROR203, ROR204, ROR205, ROR206, ROR207, ROR208];

export function findRule(idOrName: string): Rule | undefined {
  const key = idOrName.trim();
  return RULES.find((r) => r.id.toLowerCase() === key.toLowerCase() || r.name === key);
}
