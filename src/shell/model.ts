/**
 * The semantic model of a shell script: what rules ask about.
 *
 * Built from the syntax tree by `evaluate.ts`. Words carry their literal
 * value when it is known (through quotes, concatenation, constants, defaults
 * and sourced files) and `null` when it is not; commands carry their
 * resolved name (wrappers such as `env`, `nohup` or `busybox` stripped), the
 * conditions they sit under, and the function they belong to.
 */
import type { Span } from "../types.js";

/**
 * A value that depends on the positional parameters of the enclosing
 * function: literal pieces and parameter numbers ("do_", {param: 1}).
 * Calls bind it (see Program), so `do_$1` called with "stop" is `do_stop`.
 */
export type Template = (string | { param: number })[];

export interface Word {
  /** Source text of the word. */
  text: string;
  span: Span;
  /** The word's value when it is fully known, else null. */
  value: string | null;
  /** The known literal beginning of the value ("/var/run/" for "/var/run/$NAME.pid"). */
  prefix: string;
  /** Variables the word expands. */
  vars: string[];
  /** Variables that come from user configuration (/etc/default, rc.conf ...). */
  configVars: string[];
  /** The value is a link target computed by `readlink -f` / `realpath`: writing it writes through the link. */
  resolved: boolean;
  /** File the word is in (differs from the script for sourced libraries). */
  file: string;
  /** When the value depends only on positional parameters: how. */
  template?: Template;
}

export interface Redirect {
  op: string;
  fd: number | null;
  target: Word | null;
  span: Span;
}

export type Test =
  | { kind: "compare"; op: string; left: Word; right: Word }
  | { kind: "unary"; op: string; operand: Word }
  | { kind: "word"; word: Word }
  | { kind: "not"; expr: Test }
  | { kind: "and" | "or"; left: Test; right: Test }
  /** Success of a command (`if mkdir x`, `grep -q ... && ...`). */
  | { kind: "command"; command: Command }
  /** A `case` arm: `subject` matches one of `patterns` and none of the earlier arms' `previous`. */
  | { kind: "match"; subject: Word; patterns: Word[]; previous: Word[] }
  | { kind: "unknown"; text: string };

/** `exit`: the command comes after an early exit (`[ -d X ] || exit 0`), which it depends on. */
export type ConditionKind = "if" | "elif" | "else" | "case" | "and" | "or" | "loop" | "exit";

/** One condition a command sits under: it runs only when `test` evaluates to `when`. */
export interface Condition {
  kind: ConditionKind;
  test: Test;
  when: boolean;
  span: Span;
  file: string;
}

export interface Command {
  id: number;
  /** Script or library the command is written in. */
  file: string;
  /** Resolved command name: basename, wrappers stripped; null when not known ($CMD). */
  name: string | null;
  /** The word that was resolved to `name`. */
  nameWord: Word | null;
  args: Word[];
  redirects: Redirect[];
  /** From the command word to the end of the command. */
  span: Span;
  conditions: Condition[];
  /** Enclosing function, if any. */
  func: string | null;
  /** Position in the file's execution order, for "before" questions. */
  order: number;
  /** Inside `$(...)` or a backgrounded/subshell context that does not affect the caller's state. */
  substitution: boolean;
  /** Its exit status decides something (an `if`/`while` condition, the left side of `&&`/`||`). */
  tested: boolean;
}

export interface FunctionDef {
  name: string;
  file: string;
  span: Span;
  /** Commands of the body, in order (nested ones included). */
  commands: Command[];
}

/** A `.`/`source` of a file, and whether it was found in the scanned root. */
export interface SourceRef {
  command: Command;
  path: string | null;
  found: boolean;
  config: boolean;
}

export interface ScriptModel {
  path: string;
  /** Every command, in execution order; library top-level commands included where sourced. */
  commands: Command[];
  functions: Map<string, FunctionDef>;
  sources: SourceRef[];
  /** Variables known to be user configuration, with the file that sets or documents them. */
  configVars: Map<string, string>;
  parse: { lines: number; errorLines: number; hasErrors: boolean };
}
