/**
 * Applies inline pragmas (see pragma.ts) to the findings of one scan.
 *
 * - A finding that a pragma names (by the finding's path and line, or its
 *   path for `disable-file`) keeps its place in the output and gets
 *   `suppressions: [{ kind: "inSource", justification, location }]`.
 * - A pragma rule that matches nothing becomes a finding of the meta rule
 *   ROR001 unused-suppression at the pragma's line (like lintian's
 *   unused-override), when ROR001 is among the rules that ran. A rule is
 *   judged only if it ran in this scan; a name that is no rule, and a
 *   `disable-next-line` followed by a blank line or the end of the file,
 *   can never match and are always reported.
 * - A pragma without a reason still applies, and gives a diagnostic
 *   (`suppression-without-reason`, with its line); a malformed one gives a
 *   `bad-suppression` diagnostic and does not apply.
 * - ROR001 findings themselves cannot be suppressed inline (remove the pragma
 *   instead, or turn ROR001 off in the configuration).
 */
import type { Diagnostic, Finding, Suppression } from "../types.js";
import type { Rule } from "../engine/rule.js";
import { parsePragmas, type Pragma, type PragmaRule } from "./pragma.js";

export const UNUSED_SUPPRESSION_ID = "ROR001";

export interface InlineInput {
  findings: Finding[];
  /** Text of each file that may hold pragmas, by path relative to the root (the files of the findings among them). */
  texts: ReadonlyMap<string, string>;
  /** The rules that ran in this scan (ROR001 among them to report unused pragmas). */
  rules: readonly Rule[];
  /** Every rule rorlint knows, to resolve ids and names written in pragmas. */
  known: readonly Rule[];
}

export interface InlineOutput {
  /** The same findings (some now with `suppressions`), plus ROR001 findings. Not sorted. */
  findings: Finding[];
  diagnostics: Diagnostic[];
}

function resolver(known: readonly Rule[]): (s: string) => string | null {
  return (s) => {
    const k = s.trim().toLowerCase();
    return known.find((r) => r.id.toLowerCase() === k || r.name === k)?.id ?? null;
  };
}

export function applyInlineSuppressions(input: InlineInput): InlineOutput {
  const resolve = resolver(input.known);
  const ran = new Set(input.rules.map((r) => r.id));
  const meta = input.rules.find((r) => r.id === UNUSED_SUPPRESSION_ID);
  const byPath = new Map<string, Finding[]>();
  for (const f of input.findings) (byPath.get(f.path) ?? byPath.set(f.path, []).get(f.path)!).push(f);

  const out: Finding[] = [...input.findings];
  const diagnostics: Diagnostic[] = [];
  for (const [path, text] of input.texts) {
    if (!/#[ \t]*rorlint/.test(text)) continue; // the common case: nothing to parse
    const { pragmas, problems } = parsePragmas(text, resolve);
    for (const p of problems) diagnostics.push({ path, line: p.line, code: p.code, message: p.message });
    for (const p of pragmas) {
      if (p.reason === null) {
        diagnostics.push({ path, line: p.line, code: "suppression-without-reason", message: `suppression without a reason: add " -- " and why after the rule ids (it still applies)` });
      }
    }
    const used = new Set<PragmaRule>();
    for (const f of byPath.get(path) ?? []) {
      if (f.ruleId === UNUSED_SUPPRESSION_ID) continue;
      const why: Suppression[] = [];
      for (const p of pragmas) {
        if (p.scope === "next-line" && p.target !== f.line) continue;
        for (const r of p.rules) {
          if (r.ruleId !== f.ruleId) continue;
          used.add(r);
          why.push({ kind: "inSource", ...(p.reason !== null ? { justification: p.reason } : {}), location: { path, line: p.line } });
        }
      }
      if (why.length > 0) f.suppressions = [...(f.suppressions ?? []), ...why];
    }
    if (!meta) continue;
    for (const p of pragmas) {
      for (const r of p.rules) {
        if (used.has(r)) continue;
        const message = unusedMessage(p, r, ran);
        if (message === null) continue;
        out.push({ ruleId: meta.id, ruleName: meta.name, level: meta.level, message, path, line: p.line, column: p.column, endLine: p.line, endColumn: p.endColumn });
      }
    }
  }
  return { findings: out, diagnostics };
}

/** Why a pragma rule is unused, or null when it cannot be judged (its rule did not run). */
function unusedMessage(p: Pragma, r: PragmaRule, ran: ReadonlySet<string>): string | null {
  const where = p.scope === "file" ? "in this file" : `on line ${p.target}`;
  if (r.ruleId === null) return `Suppression names "${r.text}", which is no rule, so it can never match. "rorlint rules" lists the rules.`;
  if (r.ruleId === UNUSED_SUPPRESSION_ID) return `${UNUSED_SUPPRESSION_ID} cannot be suppressed inline; remove the unused pragma, or turn ${UNUSED_SUPPRESSION_ID} off in the configuration.`;
  if (p.scope === "next-line" && (p.target === null || p.targetBlank)) {
    return `Suppression of ${r.ruleId} is followed by ${p.target === null ? "the end of the file" : "a blank line"}, so it can never match. Put it on the line right above the command.`;
  }
  if (!ran.has(r.ruleId)) return null;
  return `Suppression of ${r.ruleId} matches no ${r.ruleId} finding ${where}. Remove it (or the id) if the problem is gone, or move it to the line above the command.`;
}

/**
 * The scan's hook (src/scan.ts): applies pragmas and adds the text of each
 * file with a new ROR001 finding to `sources` (for code frames and SARIF).
 */
export function suppressInScan(input: InlineInput, sources: Map<string, string>): InlineOutput {
  const out = applyInlineSuppressions(input);
  for (const f of out.findings) {
    if (sources.has(f.path)) continue;
    const t = input.texts.get(f.path);
    if (t !== undefined) sources.set(f.path, t);
  }
  return out;
}
