/**
 * Types shared by every stage of the pipeline:
 * input -> classify -> parse -> model -> rules -> findings -> formatters.
 */

/** When a script runs, which decides which rules apply (RULES.md, "script roles"). */
export type Role =
  | "boot"
  | "shutdown"
  | "network-hook"
  | "periodic"
  | "library"
  | "maintainer"
  | "other";

export const ROLES: readonly Role[] = [
  "boot",
  "shutdown",
  "network-hook",
  "periodic",
  "library",
  "maintainer",
  "other",
];

/** Roles whose scripts run during normal operation: ROR1xx rules apply to them. */
export const RUNTIME_ROLES: ReadonlySet<Role> = new Set<Role>([
  "boot",
  "shutdown",
  "network-hook",
  "periodic",
]);

export type Level = "error" | "warning" | "note";

export const LEVEL_RANK: Record<Level, number> = { note: 0, warning: 1, error: 2 };

/** A region of a file. Lines and columns are 1-based; endColumn is exclusive (as in SARIF). */
export interface Span {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** A place in a file of the scanned tree (path relative to the root, no leading slash). */
export interface Location extends Span {
  path: string;
}

/** One step of the way from an entry point to the command behind a finding. */
export interface RelatedLocation extends Location {
  message: string;
}

export interface Finding extends Location {
  ruleId: string;
  ruleName: string;
  level: Level;
  message: string;
  /** The role under which the offending code runs (shell rules only). */
  role?: Role;
  /** Call chain (call site -> function -> command) or other supporting places. */
  related?: RelatedLocation[];
  /**
   * Why the finding is suppressed (an inline `# rorlint disable-...` pragma),
   * SARIF's `result.suppressions` shape. Absent or empty: not suppressed.
   * Suppressed findings stay in the output but never fail the run.
   */
  suppressions?: Suppression[];
  /**
   * Set when the run compares against a baseline (`--baseline`): "unchanged"
   * findings are covered by it and do not fail the run (SARIF `baselineState`).
   */
  baselineState?: BaselineState;
  /** A safe, mechanical edit that resolves the finding (SARIF `fixes`, `rorlint scan --fix`). */
  fix?: Fix;
}

/** SARIF `suppression`: "inSource" for a pragma in the scanned file. */
export interface Suppression {
  kind: "inSource" | "external";
  /** The reason written after ` -- ` (absent when the pragma gives none). */
  justification?: string;
  /** Where the pragma is (path relative to the scanned root). */
  location?: { path: string; line: number };
}

export type BaselineState = "new" | "unchanged";

/** Replace the text of a span (endColumn exclusive; an empty span inserts). */
export interface Replacement extends Location {
  text: string;
}

export interface Fix {
  description: string;
  replacements: Replacement[];
}

/** True when a pragma suppresses the finding. */
export function isSuppressed(f: Finding): boolean {
  return (f.suppressions?.length ?? 0) > 0;
}

/** A problem with the input itself: unreadable file, symlink loop, parse failure... */
export interface Diagnostic {
  path: string;
  message: string;
  /** Short machine-readable reason, e.g. "symlink-loop", "too-large", "binary", "eacces". */
  code: string;
  /** The line the diagnostic is about, when there is one (e.g. a suppression without a reason). */
  line?: number;
}
