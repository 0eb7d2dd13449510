/**
 * The rule API. A rule is a module in `rules/` with metadata and a check.
 * Shell rules look at one program's effects through the model; root
 * filesystem rules look at the tree through the contained view and the
 * shared facts. Neither ever sees tree-sitter.
 */
import { RUNTIME_ROLES, type Level, type Role } from "../types.js";
import type { FsView } from "../fs/view.js";
import type { RootfsFacts } from "../rootfs/facts.js";
import type { EffectInstance, Instance, Program } from "../shell/program.js";

export type Precision = "very-high" | "high" | "medium" | "low";

export interface RuleMeta {
  /** Stable code, e.g. "ROR101". */
  id: string;
  /** Stable kebab-case name, e.g. "remount-root-rw". */
  name: string;
  level: Level;
  /** One line: what the rule finds. */
  summary: string;
  /** A paragraph: what it finds and why that breaks a read-only root. */
  description: string;
  tags: string[];
  precision: Precision;
  /**
   * Rules whose finding on the same command this rule's finding replaces:
   * one write gives one finding, from the most specific rule.
   */
  supersedes?: string[];
}

/**
 * What a shell rule may ask about the root filesystem. `resolve` depends on
 * the tree alone; the answers of `isWritable` and `createdAtBootTime` can
 * grow as the scan learns what boot scripts mount and create, so the scan
 * records them for each program and checks a program again when one has
 * changed by the end (see `RecordingFacts` in run.ts).
 */
export interface ShellFacts {
  /** The path with links resolved inside the root. */
  resolve(path: string): string;
  /** Whether writing `path` at runtime lands on a writable filesystem. */
  isWritable(path: string): boolean;
  /** Whether something creates `dir` (or a path below it) at boot. */
  createdAtBootTime(dir: string): boolean;
}

export interface ShellContext {
  facts: ShellFacts;
  /** Reports a finding at the command of `at`; the call chain becomes related locations. */
  report(at: Instance | EffectInstance, message: string): void;
}

export interface ShellRule extends RuleMeta {
  kind: "shell";
  /**
   * Roles of the scripts this rule checks (default: RUNTIME_ROLES, as
   * RULES.md has it for ROR1xx). A script none of whose roles some rule
   * checks is classified and listed, but not parsed (see `modelledRoles`).
   */
  roles?: ReadonlySet<Role>;
  check(program: Program, ctx: ShellContext): void;
}

/** The roles whose scripts `rule` checks. */
export function checkedRoles(rule: ShellRule): ReadonlySet<Role> {
  return rule.roles ?? RUNTIME_ROLES;
}

/**
 * Roles whose scripts a scan with `rules` must parse and model: those some
 * shell rule checks, and the runtime roles in any case (what runtime scripts
 * do is evidence for root filesystem rules: writes, boot mounts, links).
 * Maintainer scripts and other files run by hand are neither, by default.
 */
export function modelledRoles(rules: readonly Rule[]): ReadonlySet<Role> {
  const out = new Set<Role>(RUNTIME_ROLES);
  for (const r of rules) if (r.kind === "shell") for (const role of checkedRoles(r)) out.add(role);
  return out;
}

/** Where a root filesystem finding points: a file of the tree, and a line in it when one decides. */
export interface TreeLocation {
  /** Path inside the root ("/etc/fstab"). */
  path: string;
  line?: number;
  column?: number;
  endColumn?: number;
}

export interface RootfsContext {
  view: FsView;
  facts: RootfsFacts;
  report(at: TreeLocation, message: string): void;
}

export interface RootfsRule extends RuleMeta {
  kind: "rootfs";
  check(ctx: RootfsContext): Promise<void> | void;
}

export type Rule = ShellRule | RootfsRule;

export function runtimeRole(roles: Role[]): Role | undefined {
  return roles.find((r) => r === "boot" || r === "shutdown" || r === "network-hook" || r === "periodic") ?? roles[0];
}

/**
 * Cases that document and test a rule (ESLint RuleTester's shape). Each
 * case is a small tree: `code` is written at `path` (default: a boot
 * script, /etc/rc.sysinit), `files` adds more files or links.
 */
export interface RuleCase {
  name: string;
  code?: string;
  path?: string;
  /** Extra files; `null` removes an entry of the test skeleton (e.g. its /etc/mtab link). */
  files?: Record<string, string | { symlink: string } | null>;
}

export interface InvalidCase extends RuleCase {
  /** Where the rule must report, in order: path defaults to the case's `path`. */
  errors: { line: number; path?: string }[];
}

export interface RuleCases {
  valid: RuleCase[];
  invalid: InvalidCase[];
}
