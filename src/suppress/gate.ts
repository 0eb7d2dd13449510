/**
 * Which findings are shown and which fail the run.
 *
 * - Suppressed findings (a pragma) and findings the baseline covers
 *   ("unchanged") stay in JSON and SARIF, are hidden (but counted) in the
 *   terminal, markdown and github formats, and never fail the run.
 * - The others fail the run when their level is at or above `failOn`
 *   (default note: every finding), or when there are more warnings than
 *   `maxWarnings`.
 */
import { LEVEL_RANK, isSuppressed, type Finding, type Level } from "../types.js";
import type { ScanResult } from "../scan.js";

/** A finding that reports a problem to act on now. */
export function isActive(f: Finding): boolean {
  return !isSuppressed(f) && f.baselineState !== "unchanged";
}

export interface Tally {
  error: number;
  warning: number;
  note: number;
  /** Hidden by a pragma. */
  suppressed: number;
  /** Covered by the baseline. */
  baselined: number;
}

export function tally(results: readonly ScanResult[]): Tally {
  const t: Tally = { error: 0, warning: 0, note: 0, suppressed: 0, baselined: 0 };
  for (const r of results) {
    for (const f of r.findings) {
      if (isSuppressed(f)) t.suppressed++;
      else if (f.baselineState === "unchanged") t.baselined++;
      else t[f.level]++;
    }
  }
  return t;
}

export interface Gate {
  failOn: Level;
  maxWarnings?: number;
}

/** True when the run fails on its findings. */
export function fails(results: readonly ScanResult[], gate: Gate): boolean {
  const t = tally(results);
  const atOrAbove = (["error", "warning", "note"] as Level[]).filter((l) => LEVEL_RANK[l] >= LEVEL_RANK[gate.failOn]).reduce((n, l) => n + t[l], 0);
  return atOrAbove > 0 || (gate.maxWarnings !== undefined && t.warning > gate.maxWarnings);
}

/** `--quiet`: only error findings are reported (the others are dropped from every format). */
export function onlyErrors(results: readonly ScanResult[]): ScanResult[] {
  return results.map((r) => ({ ...r, findings: r.findings.filter((f) => f.level === "error") }));
}
