/**
 * A Markdown report (for a pull request comment, a job summary or a wiki):
 * a summary line, then one section per rule with a link to its
 * documentation, and under it one list per file.
 *
 * Like the terminal output, it shows the findings to act on: suppressed
 * findings and those the baseline covers are counted, not listed.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ScanResult } from "../scan.js";
import type { Finding, Level } from "../types.js";
import type { Rule } from "../engine/rule.js";
import { RULES } from "../../rules/index.js";
import { packageRoot, VERSION } from "../version.js";
import { isActive, tally } from "../suppress/gate.js";
import type { FormatOptions } from "./index.js";

let repositoryWeb: string | undefined;

/** The rule's docs.md on the project's repository (package.json `repository`), for links. */
export function ruleDocsUrl(rule: Pick<Rule, "id" | "name">): string {
  if (repositoryWeb === undefined) {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { homepage?: string; repository?: string | { url?: string } };
    const repo = typeof pkg.repository === "string" ? pkg.repository : pkg.repository?.url;
    repositoryWeb = (repo ?? pkg.homepage ?? "https://github.com/rorlint/rorlint").replace(/^git\+/, "").replace(/\.git$/, "").replace(/#.*$/, "");
  }
  return `${repositoryWeb}/blob/main/rules/${rule.id}-${rule.name}/docs.md`;
}

/** Escapes text so Markdown shows it literally. */
export function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`);
}

const code = (s: string) => "`" + s.replace(/`/g, "'") + "`";

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export function formatMarkdown(results: ScanResult[], _options: FormatOptions = {}): string {
  const out: string[] = ["# rorlint report", ""];
  const several = results.length > 1;
  out.push(`Scanned ${results.map((r) => `${code(r.target)} (${r.kind}, ${plural(r.scripts.length, "script")})`).join(", ")} with rorlint ${VERSION}.`, "");

  const t = tally(results);
  const total = t.error + t.warning + t.note;
  const levels = (["error", "warning", "note"] as Level[]).filter((l) => t[l] > 0).map((l) => plural(t[l], l));
  const extra = [t.suppressed ? `${t.suppressed} suppressed` : "", t.baselined ? `${t.baselined} in the baseline` : ""].filter(Boolean);
  out.push(total === 0 ? `**No problems found.**${extra.length ? ` (${extra.join(", ")})` : ""}` : `**${plural(total, "problem")}** (${levels.join(", ")})${extra.length ? ` · ${extra.join(" · ")}` : ""}`, "");

  // rule id -> file heading -> findings
  const byRule = new Map<string, Map<string, Finding[]>>();
  for (const r of results) {
    for (const f of r.findings) {
      if (!isActive(f)) continue;
      const files = byRule.get(f.ruleId) ?? byRule.set(f.ruleId, new Map()).get(f.ruleId)!;
      const heading = several ? `${r.target}: ${f.path}` : f.path;
      (files.get(heading) ?? files.set(heading, []).get(heading)!).push(f);
    }
  }
  for (const id of [...byRule.keys()].sort()) {
    const files = byRule.get(id)!;
    const all = [...files.values()].flat();
    const rule = RULES.find((r) => r.id === id);
    const name = rule?.name ?? all[0]!.ruleName;
    out.push(`## ${id} ${name}`, "");
    out.push(`${plural(all.length, "finding")} · ${[...new Set(all.map((f) => f.level))].join(", ")}${rule ? ` · [documentation](${ruleDocsUrl(rule)})` : ""}`, "");
    if (rule) out.push(`> ${rule.summary}`, ""); // authored text, Markdown already
    for (const heading of [...files.keys()].sort()) {
      out.push(`### ${code(heading)}`, "");
      for (const f of files.get(heading)!) {
        const role = f.role ? ` *(${f.role})*` : "";
        out.push(`- **${f.line}:${f.column}** ${f.level}: ${escapeMarkdown(f.message)}${role}`);
      }
      out.push("");
    }
  }
  const notes = results.flatMap((r) => r.diagnostics.filter((d) => d.line !== undefined).map((d) => ({ r, d })));
  if (notes.length > 0) {
    out.push("## Suppression notes", "");
    for (const { r, d } of notes) out.push(`- ${code(`${several ? `${r.target}: ` : ""}${d.path}:${d.line}`)} ${escapeMarkdown(d.message)}`);
    out.push("");
  }
  return out.join("\n");
}
