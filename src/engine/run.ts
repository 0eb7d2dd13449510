/**
 * Runs rules over programs and the tree, and turns their reports into
 * findings: one per rule and command (a library write is reported once,
 * with every call chain that reaches it as related locations), and one per
 * command from the most specific rule when several claim the same write.
 */
import type { Finding, RelatedLocation } from "../types.js";
import { relative, type FsView } from "../fs/view.js";
import type { RootfsFacts } from "../rootfs/facts.js";
import type { Instance, Program } from "../shell/program.js";
import { checkedRoles, runtimeRole, type Rule, type TreeLocation } from "./rule.js";

function related(chain: Instance["chain"], target: Instance["command"]): RelatedLocation[] {
  const out: RelatedLocation[] = chain.map((c) => ({
    path: relative(c.file),
    ...c.span,
    message: `calls ${c.name ?? "a function"}`,
  }));
  if (out.length > 0) out.push({ path: relative(target.file), ...target.span, message: "the command itself" });
  return out;
}

export async function runRules(rules: Rule[], programs: Program[], facts: RootfsFacts, view: FsView | null): Promise<Finding[]> {
  const byKey = new Map<string, Finding & { commandId?: number }>();
  for (const rule of rules) {
    if (rule.kind === "shell") {
      const roles = checkedRoles(rule);
      for (const program of programs) {
        if (![...program.roles].some((r) => roles.has(r))) continue;
        rule.check(program, {
          facts,
          report(at, message) {
            const c = at.command;
            const key = `${rule.id}\0${c.file}\0${c.id}`;
            const chain = related(at.chain, c);
            const existing = byKey.get(key);
            if (existing) {
              // Same command reached again (another caller): keep one finding, list the callers.
              for (const r of chain) {
                if (!existing.related?.some((x) => x.path === r.path && x.line === r.line && x.column === r.column)) {
                  (existing.related ??= []).push(r);
                }
              }
              return;
            }
            byKey.set(key, {
              ruleId: rule.id,
              ruleName: rule.name,
              level: rule.level,
              message,
              path: relative(c.file),
              ...c.span,
              role: runtimeRole(at.roles),
              ...(chain.length ? { related: chain } : {}),
              commandId: c.id,
            });
          },
        });
      }
    } else if (view) {
      const reports: TreeLocation[] = [];
      await rule.check({
        view,
        facts,
        report(at: TreeLocation, message: string) {
          reports.push(at);
          const line = at.line ?? 1;
          byKey.set(`${rule.id}\0${at.path}\0${line}\0${message}`, {
            ruleId: rule.id,
            ruleName: rule.name,
            level: rule.level,
            message,
            path: relative(at.path),
            line,
            column: at.column ?? 1,
            endLine: line,
            endColumn: at.endColumn ?? at.column ?? 1,
          });
        },
      });
    }
  }
  const findings = [...byKey.values()];
  // Ownership: drop a finding when a more specific rule reported the same command.
  const supersededBy = new Map<string, Set<string>>();
  for (const r of rules) for (const s of r.supersedes ?? []) (supersededBy.get(s) ?? supersededBy.set(s, new Set()).get(s)!).add(r.id);
  const claimed = new Set(findings.filter((f) => f.commandId !== undefined).map((f) => `${f.ruleId}\0${f.path}\0${f.commandId}`));
  const kept = findings.filter((f) => {
    const owners = supersededBy.get(f.ruleId);
    if (!owners || f.commandId === undefined) return true;
    return ![...owners].some((o) => claimed.has(`${o}\0${f.path}\0${f.commandId}`));
  });
  return kept.map(({ commandId: _id, ...f }) => f).sort(compareFindings);
}

export function compareFindings(a: Finding, b: Finding): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line || a.column - b.column || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0);
}
