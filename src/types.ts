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
}

/** A problem with the input itself: unreadable file, symlink loop, parse failure... */
export interface Diagnostic {
  path: string;
  message: string;
  /** Short machine-readable reason, e.g. "symlink-loop", "too-large", "binary", "eacces". */
  code: string;
}
