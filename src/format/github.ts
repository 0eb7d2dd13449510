/**
 * GitHub Actions workflow commands: one annotation per finding to act on,
 *
 *     ::error file=etc/rc.sysinit,line=9,endLine=9,col=1,endColumn=29,title=ROR101 remount-root-rw::Remounts ...
 *
 * so that findings show on the lines of a pull request without uploading
 * SARIF. Levels map to `::error`, `::warning` and `::notice`. Suppressed
 * findings and findings the baseline covers are left out, as are input
 * notes; suppression problems (a pragma without a reason) are warnings.
 *
 * `file` is the file's path on disk relative to the current directory (the
 * workspace in Actions): the scanned path joined with the finding's path,
 * or the scanned file itself. GitHub's escaping applies: `%`, CR and LF in
 * the message; also `:` and `,` in property values. `endColumn` is inclusive
 * (rorlint's own endColumn is exclusive).
 */
import { isAbsolute, join, relative as hostRelative, resolve as hostResolve, sep } from "node:path";
import type { ScanResult } from "../scan.js";
import type { Finding, Level } from "../types.js";
import { isActive } from "../suppress/gate.js";
import type { FormatOptions } from "./index.js";

const COMMAND: Record<Level, string> = { error: "error", warning: "warning", note: "notice" };

export function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/** Where a finding's file is on disk, relative to the current directory when it is inside it. */
export function diskPath(result: ScanResult, path: string): string {
  const abs = hostResolve(result.kind === "file" ? result.target : join(result.target, ...path.split("/")));
  const rel = hostRelative(process.cwd(), abs);
  const inside = rel !== "" && rel !== ".." && !rel.startsWith(".." + sep) && !isAbsolute(rel);
  return (inside ? rel : abs).split(sep).join("/");
}

function command(level: Level, props: Record<string, string | number>, message: string): string {
  const p = Object.entries(props)
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(",");
  return `::${COMMAND[level]} ${p}::${escapeData(message)}`;
}

function annotation(r: ScanResult, f: Finding): string {
  const props: Record<string, string | number> = { file: diskPath(r, f.path), line: f.line, endLine: f.endLine };
  if (f.endLine === f.line) {
    props.col = f.column;
    props.endColumn = Math.max(f.column, f.endColumn - 1);
  }
  props.title = `${f.ruleId} ${f.ruleName}`;
  return command(f.level, props, f.message);
}

export function formatGithub(results: ScanResult[], _options: FormatOptions = {}): string {
  const out: string[] = [];
  for (const r of results) {
    for (const f of r.findings) if (isActive(f)) out.push(annotation(r, f));
    for (const d of r.diagnostics) {
      if (d.line === undefined || !d.code.includes("suppression")) continue;
      out.push(command("warning", { file: diskPath(r, d.path), line: d.line, title: "rorlint suppression" }, d.message));
    }
  }
  return out.length ? out.join("\n") + "\n" : "";
}
