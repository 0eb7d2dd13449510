/**
 * The report model: one `TargetEntry` per distribution target and date.
 *
 * A target entry is what `reports/history/<date>-<target>.json` holds: the
 * JSON output of `rorlint scan --format json` (src/format/json.ts) for one
 * target, plus the date, the target's name and title, where the tree came
 * from, code excerpts around every finding (so pages can show code without
 * the tree) and the writable-paths plan. Every output of `rorlint report`
 * (the Markdown reports, status.md and the site) is rendered from entries
 * alone, so the same entries always give the same bytes.
 */
import { formatJson } from "../format/json.js";
import type { ScanResult } from "../scan.js";
import type { Finding, Level, RelatedLocation, Role } from "../types.js";
import type { ReportPlan } from "./plan.js";

/** A finding as the JSON format writes it (role is null for root filesystem rules). */
export interface EntryFinding {
  ruleId: string;
  ruleName: string;
  level: Level;
  message: string;
  path: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  role: Role | null;
  related?: RelatedLocation[];
  suppressions?: Finding["suppressions"];
  baselineState?: Finding["baselineState"];
  /** Where the finding can be seen on the web (a GitHub code scanning alert), when it came from there. */
  url?: string;
}

export interface EntryDiagnostic {
  path: string;
  code: string;
  message: string;
  line?: number;
}

/** Lines of a file around findings: `lines[0]` is line `start`. */
export interface Excerpt {
  start: number;
  lines: string[];
}

/** Where a target's tree came from, for the reader who wants to rebuild and check it. */
export interface EntrySource {
  kind: "corpus" | "sample" | "json" | "github";
  /** One sentence: what the tree is. */
  description?: string;
  /** How to rebuild it (the debootstrap command line of a corpus). */
  build?: string;
  /** The scanned path, relative to the project when it lies inside. */
  path?: string;
  /** OWNER/NAME of a GitHub repository (kind "github"). */
  repository?: string;
  /** The repository's code scanning page (kind "github"). */
  url?: string;
}

export interface TargetEntry {
  tool: { name: string; version: string };
  targets: { path: string; kind: string; scripts: number }[];
  findings: EntryFinding[];
  diagnostics: EntryDiagnostic[];
  parse: { files: number; filesWithErrors: number; linesInErrors: number; lines: number };
  /** YYYY-MM-DD */
  date: string;
  /** The target's name: a manifest name, "sample", or a repository name. */
  target: string;
  /** e.g. "Debian 12 (bookworm), sysvinit" */
  title: string;
  source: EntrySource;
  /** Text around each finding, by path. */
  excerpts: Record<string, Excerpt[]>;
  /** The writable-paths plan, when it could be made (it needs the tree). */
  plan: ReportPlan | null;
}

export const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
export const TARGET_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Lines shown before and after a finding. */
const CONTEXT = 3;
/** A long multi-line command is cut to this many lines after its first. */
const MAX_SPAN = 12;
/** Very long lines are cut (minified files, data). */
const MAX_LINE = 240;

/** Merged windows of lines around the given line ranges of one text. */
export function excerptsOf(text: string, ranges: readonly { line: number; endLine: number }[]): Excerpt[] {
  const all = text.split("\n");
  if (all.length > 0 && all[all.length - 1] === "") all.pop();
  const windows = ranges
    .map((r) => [Math.max(1, r.line - CONTEXT), Math.min(all.length, Math.min(Math.max(r.endLine, r.line), r.line + MAX_SPAN) + CONTEXT)] as const)
    .filter(([a, b]) => a <= b)
    .sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const merged: [number, number][] = [];
  for (const [a, b] of windows) {
    const last = merged[merged.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  return merged.map(([a, b]) => ({ start: a, lines: all.slice(a - 1, b).map((l) => (l.length > MAX_LINE ? `${l.slice(0, MAX_LINE)}…` : l)) }));
}

/** True for a finding about a whole file or directory (no line of its own: reported at 1:1-1:1). */
export function isWholeFile(f: Pick<EntryFinding, "line" | "column" | "endLine" | "endColumn">): boolean {
  return f.line === 1 && f.column === 1 && f.endLine === 1 && f.endColumn === 1;
}

/** A finding that reports a problem to act on (not suppressed, not covered by a baseline). */
export function isActiveEntryFinding(f: EntryFinding): boolean {
  return !(f.suppressions?.length ?? 0) && f.baselineState !== "unchanged";
}

export function activeFindings(entry: TargetEntry): EntryFinding[] {
  return entry.findings.filter(isActiveEntryFinding);
}

export interface EntryMeta {
  target: string;
  title: string;
  date: string;
  source: EntrySource;
  plan: ReportPlan | null;
}

/** The entry of one scan. `result.target` should already be the path to show (not a machine's absolute path). */
export function entryFromScan(result: ScanResult, meta: EntryMeta): TargetEntry {
  const json = JSON.parse(formatJson([result])) as Omit<TargetEntry, "date" | "target" | "title" | "source" | "excerpts" | "plan">;
  const excerpts: Record<string, Excerpt[]> = {};
  const byPath = new Map<string, { line: number; endLine: number }[]>();
  for (const f of json.findings) {
    if (isWholeFile(f)) continue;
    const list = byPath.get(f.path) ?? byPath.set(f.path, []).get(f.path)!;
    list.push({ line: f.line, endLine: f.endLine });
  }
  for (const path of [...byPath.keys()].sort()) {
    const text = result.sources.get(path);
    if (text !== undefined) excerpts[path] = excerptsOf(text, byPath.get(path)!);
  }
  return normalizeEntry({ ...json, ...meta, excerpts });
}

function compareFinding(a: EntryFinding, b: EntryFinding): number {
  return cmp(a.path, b.path) || a.line - b.line || a.column - b.column || cmp(a.ruleId, b.ruleId) || cmp(a.message, b.message);
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts everything that has no order of its own, so equal inputs give equal bytes. */
export function normalizeEntry(entry: TargetEntry): TargetEntry {
  const findings = [...entry.findings].sort(compareFinding);
  const diagnostics = [...entry.diagnostics].sort((a, b) => cmp(a.path, b.path) || (a.line ?? 0) - (b.line ?? 0) || cmp(a.code, b.code) || cmp(a.message, b.message));
  const excerpts: Record<string, Excerpt[]> = {};
  for (const k of Object.keys(entry.excerpts ?? {}).sort()) excerpts[k] = entry.excerpts[k]!;
  // A fixed key order: the JSON format's, then the report's.
  return {
    tool: entry.tool,
    targets: entry.targets,
    findings,
    diagnostics,
    parse: entry.parse,
    date: entry.date,
    target: entry.target,
    title: entry.title,
    source: entry.source,
    excerpts,
    plan: entry.plan ?? null,
  };
}

export function serializeEntry(entry: TargetEntry): string {
  return JSON.stringify(normalizeEntry(entry), null, 2) + "\n";
}

/** Lines of an excerpt that cover `line`..`endLine`, with some context; null when the entry has none. */
export function excerptFor(entry: TargetEntry, f: Pick<EntryFinding, "path" | "line" | "endLine">): Excerpt | null {
  const list = entry.excerpts[f.path];
  if (!list) return null;
  const w = list.find((e) => f.line >= e.start && f.line < e.start + e.lines.length);
  if (!w) return null;
  const from = Math.max(w.start, f.line - CONTEXT);
  const to = Math.min(w.start + w.lines.length - 1, Math.min(Math.max(f.endLine, f.line), f.line + MAX_SPAN) + CONTEXT);
  return { start: from, lines: w.lines.slice(from - w.start, to - w.start + 1) };
}

/** Counts of active findings by level. */
export function levelCounts(findings: readonly EntryFinding[]): Record<Level, number> {
  const c: Record<Level, number> = { error: 0, warning: 0, note: 0 };
  for (const f of findings) c[f.level]++;
  return c;
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
