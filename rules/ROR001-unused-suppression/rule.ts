import type { ShellRule } from "../../src/engine/rule.js";

/**
 * A meta rule: its findings come from src/suppress/inline.ts, which matches
 * inline pragmas against the findings of the other rules after they ran.
 * `check` reports nothing by itself; the rule is registered so that it is
 * listed, explained, configurable (level, off) and described in SARIF.
 */
export const rule: ShellRule = {
  kind: "shell",
  id: "ROR001",
  name: "unused-suppression",
  level: "warning",
  summary: "An inline suppression pragma (# rorlint disable-...) matches no finding.",
  description:
    "An inline suppression pragma names a rule that reports nothing where the pragma applies: the problem was fixed, the code moved, or the pragma names no rule. A stale suppression hides the next real finding at that place, so it is reported (like lintian's unused-override) until it is removed.",
  tags: ["meta", "suppression"],
  precision: "very-high",
  // It checks pragmas, not programs: no script is modelled for it.
  roles: new Set(),
  check() {
    // Reported by applyInlineSuppressions (src/suppress/inline.ts), never here.
  },
};
