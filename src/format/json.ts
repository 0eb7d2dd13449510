/**
 * JSON output: the stable contract other tools build on (see README,
 * "JSON output"). Paths are relative to the scanned root with no leading
 * slash; lines and columns are 1-based; endColumn is exclusive.
 */
import type { ScanResult } from "../scan.js";
import { VERSION } from "../version.js";

export function formatJson(results: ScanResult[]): string {
  const findings = results.flatMap((r) =>
    r.findings.map((f) => ({
      ruleId: f.ruleId,
      ruleName: f.ruleName,
      level: f.level,
      message: f.message,
      path: f.path,
      line: f.line,
      column: f.column,
      endLine: f.endLine,
      endColumn: f.endColumn,
      role: f.role ?? null,
      ...(f.related ? { related: f.related } : {}),
      ...(f.suppressions?.length ? { suppressions: f.suppressions } : {}),
      ...(f.baselineState ? { baselineState: f.baselineState } : {}),
      ...(f.fix ? { fix: f.fix } : {}),
      ...(results.length > 1 ? { target: r.target } : {}),
    })),
  );
  const sum = (k: "files" | "filesWithErrors" | "linesInErrors" | "lines") => results.reduce((n, r) => n + r.parse[k], 0);
  const out = {
    tool: { name: "rorlint", version: VERSION },
    targets: results.map((r) => ({ path: r.target, kind: r.kind, scripts: r.scripts.length })),
    findings,
    diagnostics: results.flatMap((r) => r.diagnostics.map((d) => ({ ...d, ...(results.length > 1 ? { target: r.target } : {}) }))),
    parse: { files: sum("files"), filesWithErrors: sum("filesWithErrors"), linesInErrors: sum("linesInErrors"), lines: sum("lines") },
  };
  return JSON.stringify(out, null, 2) + "\n";
}
