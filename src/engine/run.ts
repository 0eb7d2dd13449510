/**
 * Runs rules over programs and the tree, and turns their reports into
 * findings: one per rule and command (a library write is reported once,
 * with every call chain that reaches it as related locations), and one per
 * command from the most specific rule when several claim the same write.
 *
 * Shell rules run one program at a time (`checkProgram`), as soon as the
 * program is modelled, so that a scan need not keep every program until the
 * end. What they ask of the root filesystem facts is recorded
 * (`RecordingFacts`): facts that boot scripts add later can change an
 * answer, and the scan then checks that program again (`answersHold`).
 * `mergeFindings` makes the findings from every program's reports and the
 * root filesystem rules', in the same order whatever order programs came in.
 */
import type { Finding, RelatedLocation } from "../types.js";
import { relative, type FsView } from "../fs/view.js";
import type { RootfsFacts } from "../rootfs/facts.js";
import type { Instance, Program } from "../shell/program.js";
import { checkedRoles, runtimeRole, type Rule, type ShellFacts, type ShellRule, type TreeLocation } from "./rule.js";

function related(chain: Instance["chain"], target: Instance["command"]): RelatedLocation[] {
  const out: RelatedLocation[] = chain.map((c) => ({
    path: relative(c.file),
    ...c.span,
    message: `calls ${c.name ?? "a function"}`,
  }));
  if (out.length > 0) out.push({ path: relative(target.file), ...target.span, message: "the command itself" });
  return out;
}

/** One report of a shell rule on one program. */
export interface ShellReport {
  /** Index of the rule in the scan's rule list. */
  rule: number;
  key: string;
  finding: Finding & { commandId: number };
  chain: RelatedLocation[];
}

/** The answers a program's rules got from the facts, by question ("w\0/etc/x": isWritable). */
export type Answers = Map<string, boolean>;

/** The facts as shell rules see them, with every changing answer recorded. */
export class RecordingFacts implements ShellFacts {
  readonly answers: Answers = new Map();

  constructor(private readonly facts: ShellFacts) {}

  resolve(path: string): string {
    return this.facts.resolve(path);
  }

  isWritable(path: string): boolean {
    const a = this.facts.isWritable(path);
    this.answers.set(`w\0${path}`, a);
    return a;
  }

  createdAtBootTime(dir: string): boolean {
    const a = this.facts.createdAtBootTime(dir);
    this.answers.set(`c\0${dir}`, a);
    return a;
  }
}

/** Whether every recorded answer is still what `facts` says. */
export function answersHold(answers: Answers, facts: ShellFacts): boolean {
  for (const [q, a] of answers) {
    const path = q.slice(2);
    if ((q[0] === "w" ? facts.isWritable(path) : facts.createdAtBootTime(path)) !== a) return false;
  }
  return true;
}

/** Runs the shell rules (of `rules`, by index) that check one of the program's roles. */
export function checkProgram(rules: readonly Rule[], program: Program, facts: ShellFacts): { reports: ShellReport[]; answers: Answers } {
  const recording = new RecordingFacts(facts);
  const reports: ShellReport[] = [];
  rules.forEach((rule, index) => {
    if (rule.kind !== "shell" || !appliesTo(rule, program)) return;
    rule.check(program, {
      facts: recording,
      report(at, message) {
        const c = at.command;
        reports.push({
          rule: index,
          key: `${rule.id}\0${c.file}\0${c.id}`,
          chain: related(at.chain, c),
          finding: { ruleId: rule.id, ruleName: rule.name, level: rule.level, message, path: relative(c.file), ...c.span, role: runtimeRole(at.roles), commandId: c.id },
        });
      },
    });
  });
  return { reports, answers: recording.answers };
}

function appliesTo(rule: ShellRule, program: Program): boolean {
  const roles = checkedRoles(rule);
  for (const r of program.roles) if (roles.has(r)) return true;
  return false;
}

/**
 * The findings: shell reports of every program (given in program order), then
 * the root filesystem rules run on the tree (`view`: null when the target is
 * not a root filesystem). Rule by rule, program by program, so that the same
 * command reached from several programs lists their call chains in order.
 */
export async function mergeFindings(rules: readonly Rule[], programs: readonly ShellReport[][], facts: RootfsFacts, view: FsView | null): Promise<Finding[]> {
  const byKey = new Map<string, Finding & { commandId?: number }>();
  const byRule = rules.map(() => [] as ShellReport[]);
  for (const reports of programs) for (const r of reports) byRule[r.rule]!.push(r);
  for (const [index, rule] of rules.entries()) {
    if (rule.kind === "shell") {
      for (const r of byRule[index]!) {
        const existing = byKey.get(r.key);
        if (existing) {
          // Same command reached again (another caller): keep one finding, list the callers.
          for (const x of r.chain) {
            if (!existing.related?.some((y) => y.path === x.path && y.line === x.line && y.column === x.column)) (existing.related ??= []).push(x);
          }
          continue;
        }
        byKey.set(r.key, { ...r.finding, ...(r.chain.length ? { related: [...r.chain] } : {}) });
      }
    } else if (view) {
      await rule.check({
        view,
        facts,
        report(at: TreeLocation, message: string) {
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
