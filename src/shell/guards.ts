/**
 * Guards: what decides whether a command runs.
 *
 * Each condition a command sits under is classified (user configuration,
 * root mode, existence, command success, unknown), and can be evaluated in
 * a scenario ("the tree's configuration as shipped", "the root is
 * read-only") with three-valued logic: true, false, or unknown (null).
 */
import type { Command, Condition, Test, Word } from "./model.js";

export type GuardClass = "user-config" | "root-mode" | "existence" | "success" | "unknown";

const ROOT_MODE_VARS = /^(rootmode|ROOTMODE|root_mode|ROOT_MODE|rootopts|ROOTOPTS|RW_ROOT|READ_ONLY_ROOT|READONLY|readonly_root|roflag|ro_root)$/;
const ROOT_MODE_FILES = /^\/proc\/(cmdline|mounts|self\/mounts|self\/mountinfo)$|^\/etc\/fstab$/;

function testWords(t: Test, out: Word[] = []): Word[] {
  switch (t.kind) {
    case "compare":
      out.push(t.left, t.right);
      break;
    case "unary":
      out.push(t.operand);
      break;
    case "word":
      out.push(t.word);
      break;
    case "not":
      testWords(t.expr, out);
      break;
    case "and":
    case "or":
      testWords(t.left, out);
      testWords(t.right, out);
      break;
    case "command":
      if (t.command.nameWord) out.push(t.command.nameWord);
      out.push(...t.command.args);
      for (const r of t.command.redirects) if (r.target) out.push(r.target);
      break;
    case "match":
      out.push(t.subject);
      break;
    case "unknown":
      break;
  }
  return out;
}

/** Classes by condition: a condition is asked about once per command instance that sits under it. */
const classes = new WeakMap<Condition, GuardClass>();

export function classify(c: Condition): GuardClass {
  let k = classes.get(c);
  if (k === undefined) classes.set(c, (k = classifyNow(c)));
  return k;
}

function classifyNow(c: Condition): GuardClass {
  const words = testWords(c.test);
  if (words.some((w) => w.vars.some((v) => ROOT_MODE_VARS.test(v)) || ROOT_MODE_FILES.test(w.value ?? ""))) return "root-mode";
  if (isWritableTest(c.test)) return "root-mode";
  if (words.some((w) => w.configVars.length > 0)) return "user-config";
  if (isExistenceTest(c.test)) return "existence";
  if (c.test.kind === "command") return "success";
  return "unknown";
}

function isWritableTest(t: Test): boolean {
  if (t.kind === "not") return isWritableTest(t.expr);
  if (t.kind === "and" || t.kind === "or") return isWritableTest(t.left) || isWritableTest(t.right);
  return t.kind === "unary" && t.op === "-w" && (t.operand.value === "/" || (t.operand.value ?? "").startsWith("/etc"));
}

/** `[ -d X ]`, `[ -e X ]`, `test -f X` and their negations. */
export function isExistenceTest(t: Test): boolean {
  if (t.kind === "not") return isExistenceTest(t.expr);
  return t.kind === "unary" && /^-[defhLsxrp]$/.test(t.op);
}

/** The path an existence test looks at. */
export function existencePath(t: Test): string | null {
  if (t.kind === "not") return existencePath(t.expr);
  return t.kind === "unary" ? t.operand.value : null;
}

export interface Scenario {
  /** Value of a word in this scenario (null: unknown). Defaults to the word's own value. */
  word?(w: Word): string | null;
  /** Outcome of `-w`, `-d` ... on a path (null: unknown). */
  unary?(op: string, path: string): boolean | null;
  /** Whether a command succeeds (null: unknown). */
  command?(c: Command): boolean | null;
}

/** Three-valued evaluation of a test in a scenario. */
export function evaluate(t: Test, s: Scenario): boolean | null {
  const val = (w: Word) => (s.word ? s.word(w) : w.value);
  switch (t.kind) {
    case "compare": {
      const l = val(t.left);
      const r = val(t.right);
      if (l === null || r === null) return null;
      switch (t.op) {
        case "=":
        case "==":
          return l === r;
        case "!=":
          return l !== r;
        case "-eq":
          return Number(l) === Number(r);
        case "-ne":
          return Number(l) !== Number(r);
        default:
          return null;
      }
    }
    case "unary": {
      const v = val(t.operand);
      if (v === null) return null;
      if (t.op === "-n") return v !== "";
      if (t.op === "-z") return v === "";
      return s.unary ? s.unary(t.op, v) : null;
    }
    case "word": {
      const v = val(t.word);
      return v === null ? null : v !== "";
    }
    case "not": {
      const v = evaluate(t.expr, s);
      return v === null ? null : !v;
    }
    case "and": {
      const l = evaluate(t.left, s);
      const r = evaluate(t.right, s);
      if (l === false || r === false) return false;
      return l === true && r === true ? true : null;
    }
    case "or": {
      const l = evaluate(t.left, s);
      const r = evaluate(t.right, s);
      if (l === true || r === true) return true;
      return l === false && r === false ? false : null;
    }
    case "command": {
      const name = t.command.name;
      if (name === "true" || name === ":") return true;
      if (name === "false") return false;
      return s.command ? s.command(t.command) : null;
    }
    case "match": {
      const subject = val(t.subject);
      if (subject === null) return null;
      if (t.previous.some((p) => val(p) !== null && globMatch(val(p)!, subject))) return false;
      let unknown = false;
      for (const p of t.patterns) {
        const pat = val(p);
        if (pat === null) {
          unknown = true;
          continue;
        }
        if (globMatch(pat, subject)) return true;
      }
      return unknown ? null : false;
    }
    case "unknown":
      return null;
  }
}

/** False when the scenario shows the branch is not taken; true or unknown otherwise. */
export function mayRun(conditions: readonly Condition[], s: Scenario, only?: (c: Condition) => boolean): boolean {
  for (const c of conditions) {
    if (only && !only(c)) continue;
    const v = evaluate(c.test, s);
    if (v !== null && v !== c.when) return false;
  }
  return true;
}

export function globMatch(pattern: string, s: string): boolean {
  if (!/[*?[]/.test(pattern)) return pattern === s;
  const re = pattern.replace(/[.+^${}()|\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  try {
    return new RegExp(`^${re}$`, "s").test(s);
  } catch {
    return false;
  }
}
