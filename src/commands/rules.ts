/** `rorlint rules` and `rorlint explain RULE` */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { RULES, findRule } from "../../rules/index.js";
import { packageRoot } from "../version.js";
import { UsageError } from "./exit.js";
import type { Rule } from "../engine/rule.js";

export function ruleDocsPath(rule: Rule): string {
  return join(packageRoot(), "rules", `${rule.id}-${rule.name}`, "docs.md");
}

export function register(program: Command): void {
  program
    .command("rules")
    .description("list the rules")
    .action(() => {
      const width = Math.max(...RULES.map((r) => r.name.length));
      for (const r of RULES) process.stdout.write(`${r.id}  ${r.name.padEnd(width)}  ${r.level.padEnd(7)}  ${r.summary}\n`);
    });

  program
    .command("explain")
    .description("print a rule's documentation")
    .argument("<rule>", "rule id or name, e.g. ROR101 or remount-root-rw")
    .action((id: string) => {
      const rule = findRule(id);
      if (!rule) throw new UsageError(`unknown rule "${id}"; "rorlint rules" lists them`);
      process.stdout.write(readFileSync(ruleDocsPath(rule), "utf8"));
    });
}
