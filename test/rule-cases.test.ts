/**
 * Runs every rule's cases (rules/<ID>-<name>/cases.ts): each valid case must
 * give no finding of that rule, each invalid case exactly the listed ones.
 */
import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { RULES } from "../rules/index.js";
import type { RuleCase, RuleCases } from "../src/engine/rule.js";
import { scanPath } from "../src/scan.js";
import { makeTree, removeTree, ROOT, SKELETON, type TreeSpec } from "./helpers.js";

async function findingsFor(ruleId: string, c: RuleCase) {
  const path = c.path ?? "etc/rc.sysinit";
  const spec: Record<string, TreeSpec[string] | null> = { ...SKELETON, ...(c.code !== undefined ? { [path]: c.code } : {}), ...(c.files ?? {}) };
  for (const [k, v] of Object.entries(spec)) if (v === null) delete spec[k];
  const tree = makeTree(spec as TreeSpec);
  try {
    const rule = RULES.find((r) => r.id === ruleId)!;
    const result = await scanPath(tree, { rules: [rule] });
    return result.findings.map((f) => ({ path: f.path, line: f.line }));
  } finally {
    removeTree(tree);
  }
}

for (const rule of RULES) {
  const file = join(ROOT, "rules", `${rule.id}-${rule.name}`, "cases.ts");
  describe(`${rule.id} ${rule.name}`, async () => {
    it("has cases, with must-not-flag ones", () => {
      expect(existsSync(file), `${file} is missing`).toBe(true);
    });
    if (!existsSync(file)) return;
    const { cases } = (await import(file)) as { cases: RuleCases };
    it("has at least two valid and two invalid cases", () => {
      expect(cases.valid.length).toBeGreaterThanOrEqual(2);
      expect(cases.invalid.length).toBeGreaterThanOrEqual(2);
    });
    for (const c of cases.valid) {
      it(`valid: ${c.name}`, async () => {
        expect(await findingsFor(rule.id, c)).toEqual([]);
      });
    }
    for (const c of cases.invalid) {
      it(`invalid: ${c.name}`, async () => {
        const expected = c.errors.map((e) => ({ path: e.path ?? c.path ?? "etc/rc.sysinit", line: e.line }));
        expect(await findingsFor(rule.id, c)).toEqual(expected);
      });
    }
  });
}
