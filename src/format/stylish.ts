/**
 * Terminal output: findings grouped by file, each with a code frame and a
 * caret under the offending command, then a summary line.
 *
 * Suppressed findings and findings the baseline covers are not shown; the
 * summary counts them. Suppression problems (a pragma without a reason) are
 * listed with their file and line.
 */
import picocolors from "picocolors";
import type { Finding, Level } from "../types.js";
import type { ScanResult } from "../scan.js";
import { colors, type Colors } from "../color.js";
import { isActive, tally } from "../suppress/gate.js";
import type { FormatOptions } from "./index.js";

const levelStyle = (pc: Colors): Record<Level, (s: string) => string> => ({ error: pc.red, warning: pc.yellow, note: pc.blue });

function frame(pc: Colors, text: string | undefined, f: Finding): string[] {
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
    `  ${" ".repeat(gutter)} ${pc.dim("|")} ${" ".repeat(Math.max(0, f.column - 1))}${levelStyle(pc)[f.level]("^".repeat(width))}`,
  ];
}

export function formatStylish(results: ScanResult[], options: FormatOptions = {}): string {
  const pc = options.color === undefined ? picocolors : colors(options.color);
  const LEVEL_STYLE = levelStyle(pc);
  const out: string[] = [];
  const counts = tally(results);
  for (const r of results) {
    const byFile = new Map<string, Finding[]>();
    for (const f of r.findings) {
      if (!isActive(f)) continue;
      (byFile.get(f.path) ?? byFile.set(f.path, []).get(f.path)!).push(f);
    }
    for (const [path, fs] of byFile) {
      out.push(pc.underline(results.length > 1 ? `${r.target}: ${path}` : path));
      for (const f of fs) {
        const role = f.role ? pc.dim(` [${f.role}]`) : "";
        out.push(`  ${pc.dim(`${f.line}:${f.column}`)}  ${LEVEL_STYLE[f.level](f.level.padEnd(7))} ${f.message}  ${pc.dim(`${f.ruleId} ${f.ruleName}`)}${role}`);
        out.push(...frame(pc, r.sources.get(path), f));
        for (const rel of f.related ?? []) out.push(pc.dim(`      ↳ ${rel.path}:${rel.line}:${rel.column} ${rel.message}`));
      }
      out.push("");
    }
    // Problems with pragmas name their line; other input notes are only counted.
    const located = r.diagnostics.filter((d) => d.line !== undefined);
    if (located.length > 0 && !options.quiet) {
      for (const d of located) out.push(`${pc.underline(`${results.length > 1 ? `${r.target}: ` : ""}${d.path}:${d.line}`)}  ${LEVEL_STYLE.warning("warning")} ${d.message}  ${pc.dim(d.code)}`);
      out.push("");
    }
    const notes = r.diagnostics.length - located.length;
    if (notes > 0 && !options.quiet) {
      out.push(pc.dim(`${r.target}: ${notes} input note(s); see --format json for the list.`));
    }
  }
  const total = counts.error + counts.warning + counts.note;
  const hidden = [counts.suppressed ? `${counts.suppressed} suppressed` : "", counts.baselined ? `${counts.baselined} in the baseline` : ""].filter(Boolean);
  const aside = hidden.length ? pc.dim(` · ${hidden.join(" · ")}`) : "";
  if (total === 0) out.push(pc.green("✔ no problems found") + aside);
  else {
    const parts = (["error", "warning", "note"] as Level[]).filter((l) => counts[l] > 0).map((l) => `${counts[l]} ${l}${counts[l] === 1 ? "" : "s"}`);
    out.push(pc.bold(`✖ ${total} problem${total === 1 ? "" : "s"} (${parts.join(", ")})`) + aside);
  }
  return out.join("\n") + "\n";
}
