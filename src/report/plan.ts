/**
 * The writable-paths plan at the end of each report: what the root
 * filesystem needs in order to boot read-only (tmpfiles.d lines, rwtab
 * entries, links, fstab changes, changes to scripts), as `rorlint plan`
 * (src/plan/) makes it.
 *
 * The report keeps the plan in its history entries, so a report rebuilt
 * from saved results still has it. `ReportPlan` is the plan without what
 * ties it to one machine (the scanned path) and without the findings'
 * messages (the entry has them).
 */
import { LABEL } from "../plan/format.js";
import { buildPlan, type Plan } from "../plan/build.js";
import type { ScanResult } from "../scan.js";

export interface ReportPlanAction {
  /** "fstab", "symlink", "tmpfiles", "rwtab", "file", "script" */
  kind: string;
  /** What to add or do. */
  text: string;
  /** For a change to an existing line: where it is and its text now. */
  replaces?: { path: string; line: number; text: string };
  reason: string;
  /** The findings behind it. */
  findings: { ruleId: string; path: string; line: number }[];
}

export interface ReportPlan {
  entries: { path: string; actions: ReportPlanAction[] }[];
  /** Lines to add, by the file they go in. */
  files: { path: string; lines: string[] }[];
  /** Shell commands to run in the root of the image. */
  commands: string[];
  overlayroot: { kind: string; path: string; line: number } | null;
  /** Findings the plan used. */
  findings: number;
}

export function toReportPlan(plan: Plan): ReportPlan {
  return {
    entries: plan.entries.map((e) => ({
      path: e.path,
      actions: e.actions.map((a) => ({
        kind: a.kind,
        text: a.text,
        ...(a.replaces ? { replaces: { path: a.replaces.path, line: a.replaces.line, text: a.replaces.text } } : {}),
        reason: a.reason,
        findings: a.findings.map((f) => ({ ruleId: f.ruleId, path: f.path, line: f.line })),
      })),
    })),
    files: plan.files.map((f) => ({ path: f.path, lines: [...f.lines] })),
    commands: [...plan.commands],
    overlayroot: plan.overlayroot ? { kind: plan.overlayroot.kind, path: plan.overlayroot.path, line: plan.overlayroot.line } : null,
    findings: plan.findings,
  };
}

/** The plan for a scanned root filesystem; null for other inputs, or when making it fails (named on stderr). */
export async function planFor(result: ScanResult): Promise<ReportPlan | null> {
  if (result.kind !== "rootfs") return null;
  try {
    return toReportPlan(await buildPlan(result));
  } catch (err) {
    process.stderr.write(`rorlint report: the writable-paths plan for ${result.target} failed: ${(err as Error).message}\n`);
    return null;
  }
}

export const PLAN_KIND_LABEL: Readonly<Record<string, string>> = LABEL;

export function planCounts(plan: ReportPlan): { paths: number; changes: number } {
  return { paths: plan.entries.length, changes: plan.entries.reduce((n, e) => n + e.actions.length, 0) };
}
