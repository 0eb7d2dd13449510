/**
 * Terminal output: findings grouped by file, each with a code frame and a
 * caret under the offending command, then a summary line.
 */
import pc from "picocolors";
import type { Finding, Level } from "../types.js";
import type { ScanResult } from "../scan.js";

const LEVEL_STYLE: Record<Level, (s: string) => string> = { error: pc.red, warning: pc.yellow, note: pc.blue };

function frame(text: string | undefined, f: Finding): string[] {
  if (text === undefined) return [];
  const lines = text.split("\n");
  const src = lines[f.line - 1];
  if (src === undefined) return [];
  const gutter = String(f.line).length;
  const shown = src.replace(/\t/g, " ");
  const end = f.endLine === f.line ? f.endColumn : shown.length + 1;
  const width = Math.max(1, Math.min(end, shown.length + 1) - f.column);
  return [
    `  ${pc.dim(String(f.line).padStart(gutter))} ${pc.dim("|")} ${shown}`,
    `  ${" ".repeat(gutter)} ${pc.dim("|")} ${" ".repeat(Math.max(0, f.column - 1))}${LEVEL_STYLE[f.level]("^".repeat(width))}`,
  ];
}

export function formatStylish(results: ScanResult[]): string {
  const out: string[] = [];
  const counts: Record<Level, number> = { error: 0, warning: 0, note: 0 };
  for (const r of results) {
    const byFile = new Map<string, Finding[]>();
    for (const f of r.findings) {
      counts[f.level]++;
      (byFile.get(f.path) ?? byFile.set(f.path, []).get(f.path)!).push(f);
    }
    for (const [path, fs] of byFile) {
      out.push(pc.underline(results.length > 1 ? `${r.target}: ${path}` : path));
      for (const f of fs) {
        const role = f.role ? pc.dim(` [${f.role}]`) : "";
        out.push(`  ${pc.dim(`${f.line}:${f.column}`)}  ${LEVEL_STYLE[f.level](f.level.padEnd(7))} ${f.message}  ${pc.dim(`${f.ruleId} ${f.ruleName}`)}${role}`);
        out.push(...frame(r.sources.get(path), f));
        for (const rel of f.related ?? []) out.push(pc.dim(`      ↳ ${rel.path}:${rel.line}:${rel.column} ${rel.message}`));
      }
      out.push("");
    }
    if (r.diagnostics.length > 0) {
      out.push(pc.dim(`${r.target}: ${r.diagnostics.length} input note(s); see --format json for the list.`));
    }
  }
  const total = counts.error + counts.warning + counts.note;
  if (total === 0) out.push(pc.green("✔ no problems found"));
  else {
    const parts = (["error", "warning", "note"] as Level[]).filter((l) => counts[l] > 0).map((l) => `${counts[l]} ${l}${counts[l] === 1 ? "" : "s"}`);
    out.push(pc.bold(`✖ ${total} problem${total === 1 ? "" : "s"} (${parts.join(", ")})`));
  }
  return out.join("\n") + "\n";
}
