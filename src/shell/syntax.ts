/**
 * Shell syntax: the tree-sitter tree turned into rorlint's own small AST.
 *
 * This is the only module that touches tree-sitter nodes. Everything after
 * it (evaluation, effects, rules) works on these plain objects, which
 * outlive the tree (trees are deleted right after conversion).
 *
 * Error tolerance: ERROR nodes are descended into, so commands inside and
 * after a region the grammar could not parse are still seen, and keyword
 * commands left over by a failed compound statement ("do mv a b") are read
 * as the command they introduce.
 */
import type { Node } from "./parser.js";
import type { Span } from "../types.js";

export type WordPart =
  | { kind: "lit"; text: string; quoted: boolean }
  /** $NAME, ${NAME}, ${NAME:-word} ... `op` is the expansion operator, `arg` its word. */
  | { kind: "var"; name: string; op?: string; arg?: Word; quoted: boolean; length?: boolean }
  | { kind: "cmdsub"; body: Stmt[]; text: string }
  /** Anything whose value is not modelled: arithmetic, process substitution, globs... */
  | { kind: "opaque"; text: string; glob?: boolean };

export interface Word {
  parts: WordPart[];
  text: string;
  span: Span;
}

export interface Assign {
  name: string;
  value: Word | null;
  /** `+=` */
  append: boolean;
  span: Span;
}

export interface Redirect {
  /** ">", ">>", ">|", "&>", "&>>", "<", "<>", ">&", "<&", "<<", "<<<" ... */
  op: string;
  fd: number | null;
  target: Word | null;
  span: Span;
}

export type TestExpr =
  | { kind: "compare"; op: string; left: Word; right: Word }
  | { kind: "unary"; op: string; operand: Word }
  | { kind: "word"; word: Word }
  | { kind: "not"; expr: TestExpr }
  | { kind: "and" | "or"; left: TestExpr; right: TestExpr }
  | { kind: "unknown"; text: string };

export type Stmt =
  | {
      kind: "command";
      name: Word | null;
      args: Word[];
      /** `FOO=bar cmd`: assignments for this command only. */
      env: Assign[];
      redirects: Redirect[];
      span: Span;
    }
  | { kind: "assign"; assigns: Assign[]; decl: string | null; span: Span }
  | { kind: "test"; expr: TestExpr; redirects: Redirect[]; span: Span; text: string }
  | { kind: "if"; clauses: { cond: Stmt[]; body: Stmt[]; span: Span }[]; orElse: Stmt[] | null; span: Span }
  | { kind: "case"; subject: Word; items: { patterns: Word[]; body: Stmt[]; span: Span }[]; span: Span }
  | { kind: "loop"; loop: "for" | "while" | "until"; cond: Stmt[]; body: Stmt[]; span: Span; variable?: string; items?: Word[] }
  | { kind: "and" | "or"; left: Stmt; right: Stmt; span: Span }
  | { kind: "not"; body: Stmt; span: Span }
  | { kind: "pipeline"; stages: Stmt[]; span: Span }
  | { kind: "block"; body: Stmt[]; subshell: boolean; redirects: Redirect[]; span: Span }
  | { kind: "function"; name: string; body: Stmt[]; span: Span };

export interface Script {
  body: Stmt[];
  /** Lines covered by ERROR nodes that could not be recovered. */
  errorLines: number;
  hasErrors: boolean;
  /** Those lines (0-based rows) that hold code, for a second, line-by-line attempt. */
  unparsedRows: number[];
}

export function spanOf(n: Node): Span {
  return {
    line: n.startPosition.row + 1,
    column: n.startPosition.column + 1,
    endLine: n.endPosition.row + 1,
    endColumn: n.endPosition.column + 1,
  };
}

function kids(n: Node): Node[] {
  return n.namedChildren.filter((c): c is Node => c !== null && c.type !== "comment");
}

function field(n: Node, name: string): Node | null {
  return n.childForFieldName(name);
}

/** Words the grammar leaves behind when a compound statement fails to parse. */
const STRAY_KEYWORDS = new Set(["do", "then", "else", "elif", "in"]);
const CLOSING_KEYWORDS = new Set(["done", "fi", "esac", "}", "then", "do", "else"]);

export function convertProgram(root: Node): Script {
  const state = { errorRows: new Set<number>(), hasErrors: root.hasError };
  const body = stmts(kids(root), state);
  // Rows of ERROR regions that no recovered statement covers, and that hold code (not blank, not a comment).
  const lines = root.text.split("\n");
  const rows = [...state.errorRows].filter((r) => /^\s*[^\s#]/.test(lines[r] ?? "")).sort((a, b) => a - b);
  return { body, errorLines: rows.length, hasErrors: state.hasErrors, unparsedRows: rows };
}

interface State {
  errorRows: Set<number>;
  hasErrors: boolean;
}

function stmts(nodes: Node[], st: State): Stmt[] {
  const out: Stmt[] = [];
  for (const n of nodes) out.push(...stmt(n, st));
  return out;
}

function stmt(n: Node, st: State): Stmt[] {
  const span = spanOf(n);
  switch (n.type) {
    case "command":
      // An error inside a command's words (an unterminated `$((`) may have swallowed the next lines: try them again.
      if (n.hasError) for (let r = n.startPosition.row; r <= n.endPosition.row; r++) st.errorRows.add(r);
      return [command(n, st)].filter((s): s is Stmt => s !== null);
    case "variable_assignment":
      return [{ kind: "assign", assigns: [assign(n, st)], decl: null, span }];
    case "variable_assignments":
      return [{ kind: "assign", assigns: kids(n).filter((c) => c.type === "variable_assignment").map((c) => assign(c, st)), decl: null, span }];
    case "declaration_command":
      return [declaration(n, st)];
    case "unset_command":
      return [];
    case "test_command":
      return [{ kind: "test", expr: testNode(firstTestChild(n), st), redirects: [], span, text: n.text }];
    case "redirected_statement": {
      const bodyNode = field(n, "body");
      const redirects = n.childrenForFieldName("redirect").filter((r): r is Node => r !== null).flatMap((r) => redirect(r, st));
      if (!bodyNode) return redirects.length ? [{ kind: "block", body: [], subshell: false, redirects, span }] : [];
      const inner = stmt(bodyNode, st);
      // The grammar reads `a && b > f` and `a | b > f` as a redirected list; the redirection belongs to b.
      const target = inner.length === 1 ? rightmost(inner[0]!) : null;
      if (target) {
        target.redirects.push(...redirects);
        return inner;
      }
      return [{ kind: "block", body: inner, subshell: false, redirects, span }];
    }
    case "if_statement":
      return [ifStmt(n, st)];
    case "case_statement":
      return [caseStmt(n, st)];
    case "for_statement":
    case "select_statement": {
      const variable = field(n, "variable")?.text;
      const items = n.childrenForFieldName("value").filter((c): c is Node => c !== null).map((c) => word(c, st));
      const body = field(n, "body");
      return [{ kind: "loop", loop: "for", cond: [], body: body ? stmts(kids(body), st) : [], span, variable, items }];
    }
    case "c_style_for_statement": {
      const body = field(n, "body");
      return [{ kind: "loop", loop: "for", cond: [], body: body ? stmts(kids(body), st) : [], span }];
    }
    case "while_statement": {
      const until = n.child(0)?.type === "until";
      const cond = field(n, "condition");
      const body = field(n, "body");
      return [
        {
          kind: "loop",
          loop: until ? "until" : "while",
          cond: cond ? stmt(cond, st) : [],
          body: body ? stmts(kids(body), st) : [],
          span,
        },
      ];
    }
    case "list": {
      const [l, r] = kids(n);
      const op = n.children.find((c) => c && (c.type === "&&" || c.type === "||"))?.type;
      const left = l ? stmt(l, st) : [];
      const right = r ? stmt(r, st) : [];
      if (!op || left.length !== 1 || right.length !== 1) return [...left, ...right];
      return [{ kind: op === "&&" ? "and" : "or", left: left[0]!, right: right[0]!, span }];
    }
    case "negated_command": {
      const inner = kids(n).flatMap((c) => stmt(c, st));
      return inner.length === 1 ? [{ kind: "not", body: inner[0]!, span }] : inner;
    }
    case "pipeline":
      return [{ kind: "pipeline", stages: kids(n).flatMap((c) => stmt(c, st)), span }];
    case "compound_statement":
    case "do_group":
      return [{ kind: "block", body: stmts(kids(n), st), subshell: false, redirects: [], span }];
    case "subshell":
      return [{ kind: "block", body: stmts(kids(n), st), subshell: true, redirects: [], span }];
    case "function_definition": {
      const name = field(n, "name")?.text ?? "";
      const body = field(n, "body");
      const inner = body ? stmt(body, st) : [];
      const flat = inner.length === 1 && inner[0]!.kind === "block" ? inner[0]!.body : inner;
      return [{ kind: "function", name, body: flat, span }];
    }
    case "ERROR": {
      st.hasErrors = true;
      const recovered = kids(n).flatMap((c) => stmt(c, st));
      const covered = new Set<number>();
      for (const s of recovered) for (let r = s.span.line - 1; r < s.span.endLine; r++) covered.add(r);
      for (let r = n.startPosition.row; r <= n.endPosition.row; r++) if (!covered.has(r)) st.errorRows.add(r);
      return recovered;
    }
    case "heredoc_body":
    case "variable_name":
    case "word":
    case "string":
    case "concatenation":
    case "simple_expansion":
    case "expansion":
    case "file_redirect":
    case "heredoc_redirect":
    case "herestring_redirect":
      // Fragments left at statement level by an ERROR region carry no command.
      return [];
    default:
      // Unknown statement kinds: look inside for commands rather than drop them.
      return kids(n).flatMap((c) => stmt(c, st));
  }
}

type Redirectable = Extract<Stmt, { kind: "command" | "test" | "block" }>;

/** The last simple statement of a list, pipeline or negation: where a trailing redirection applies. */
function rightmost(s: Stmt): Redirectable | null {
  switch (s.kind) {
    case "command":
    case "test":
    case "block":
      return s;
    case "and":
    case "or":
      return rightmost(s.right);
    case "not":
      return rightmost(s.body);
    case "pipeline":
      return s.stages.length ? rightmost(s.stages[s.stages.length - 1]!) : null;
    default:
      return null;
  }
}

/**
 * The grammar splits `$DIR/$NAME.pid` (an expansion, a word, then `$NAME`
 * followed by more text) into "$DIR/$" and "NAME.pid". Such a node ends in a
 * bare `$` token, and the rest follows with no gap.
 */
function endsInBareDollar(n: Node): boolean {
  const last = n.child(n.childCount - 1);
  return n.type === "concatenation" && last !== null && !last.isNamed && last.type === "$";
}

/** Joins "$DIR/$" and "NAME.pid" back into one word. */
function joinSplitWord(head: Word, tail: Node, st: State): Word {
  const rest = word(tail, st);
  const parts = [...head.parts];
  const first = rest.parts[0];
  const m = first?.kind === "lit" ? /^([A-Za-z_][A-Za-z0-9_]*)([\s\S]*)$/.exec(first.text) : null;
  if (m) {
    parts.push({ kind: "var", name: m[1]!, quoted: false });
    if (m[2]) parts.push({ ...(first as Extract<WordPart, { kind: "lit" }>), text: m[2] });
    parts.push(...rest.parts.slice(1));
  } else parts.push({ kind: "opaque", text: "$" }, ...rest.parts);
  return { parts, text: head.text + rest.text, span: { ...head.span, endLine: rest.span.endLine, endColumn: rest.span.endColumn } };
}

/** Words of sibling nodes, with split words joined back. */
function words(nodes: Node[], st: State): Word[] {
  const out: Word[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    const next = nodes[i + 1];
    if (next && endsInBareDollar(n) && next.startIndex === n.endIndex) {
      out.push(joinSplitWord(word(n, st), next, st));
      i++;
    } else out.push(word(n, st));
  }
  return out;
}

function command(n: Node, st: State): Stmt | null {
  let nameNode = field(n, "name");
  const env: Assign[] = [];
  const argNodes: Node[] = [];
  const redirects: Redirect[] = [];
  for (const c of kids(n)) {
    if (c === nameNode || c.id === nameNode?.id) continue;
    if (c.type === "variable_assignment") env.push(assign(c, st));
    else if (c.type === "file_redirect" || c.type === "heredoc_redirect" || c.type === "herestring_redirect") redirects.push(...redirect(c, st));
    else if (c.type !== "command_name") argNodes.push(c);
  }
  // `P=$DIR/$NAME.pid` read as the assignment "P=$DIR/$" and a command "NAME.pid": one assignment.
  const lastEnv = kids(n).filter((c) => c.type === "variable_assignment").pop();
  const lastValue = lastEnv ? field(lastEnv, "value") : null;
  if (lastValue && nameNode && endsInBareDollar(lastValue) && nameNode.startIndex === lastValue.endIndex) {
    const a = env[env.length - 1]!;
    a.value = joinSplitWord(a.value!, kids(nameNode)[0] ?? nameNode, st);
    nameNode = null;
  }
  const args = words(argNodes, st);
  let name = nameNode ? word(kids(nameNode)[0] ?? nameNode, st) : args.shift() ?? null;
  // Recovery: "do mv a b" left behind by a `for` the grammar could not read.
  while (name && STRAY_KEYWORDS.has(name.text)) {
    st.hasErrors = true;
    name = args.shift() ?? null;
  }
  if (name && CLOSING_KEYWORDS.has(name.text) && args.length === 0 && env.length === 0) return null;
  if (!name && env.length > 0 && args.length === 0) return { kind: "assign", assigns: env, decl: null, span: spanOf(n) };
  return { kind: "command", name, args, env, redirects, span: spanOf(n) };
}

function assign(n: Node, st: State): Assign {
  const nameNode = field(n, "name");
  const valueNode = field(n, "value");
  const append = n.children.some((c) => c?.type === "+=");
  let name = nameNode?.text ?? n.text.split("=")[0] ?? "";
  if (nameNode?.type === "subscript") name = field(nameNode, "name")?.text ?? name;
  return { name, value: valueNode ? word(valueNode, st) : null, append, span: spanOf(n) };
}

function declaration(n: Node, st: State): Stmt {
  const decl = n.child(0)?.type ?? "declare";
  const assigns: Assign[] = [];
  const children = kids(n);
  for (let i = 0; i < children.length; i++) {
    const c = children[i]!;
    if (c.type === "variable_assignment") {
      const a = assign(c, st);
      // `local f=$DIR/$NAME.pid`, split by the grammar: join the value back.
      const value = field(c, "value");
      const next = children[i + 1];
      if (a.value && value && next && endsInBareDollar(value) && next.startIndex === c.endIndex) {
        a.value = joinSplitWord(a.value, next, st);
        i++;
      }
      assigns.push(a);
    } else if (c.type === "variable_name") assigns.push({ name: c.text, value: null, append: false, span: spanOf(c) });
  }
  return { kind: "assign", assigns, decl, span: spanOf(n) };
}

function redirect(n: Node, st: State): Redirect[] {
  const span = spanOf(n);
  const fdNode = field(n, "descriptor");
  const fd = fdNode ? Number.parseInt(fdNode.text, 10) : null;
  if (n.type === "heredoc_redirect") {
    // `cat <<EOF > file`: the file redirect nests inside the heredoc redirect.
    const nested = n.childrenForFieldName("redirect").filter((r): r is Node => r !== null).flatMap((r) => redirect(r, st));
    return [{ op: "<<", fd, target: null, span }, ...nested];
  }
  if (n.type === "herestring_redirect") return [{ op: "<<<", fd, target: null, span }];
  const opNode = n.children.find((c) => c !== null && !c.isNamed);
  const dests = n.childrenForFieldName("destination").filter((c): c is Node => c !== null);
  const dest = dests.length ? words(dests, st)[0]! : (() => { const d = kids(n).filter((c) => c.type !== "file_descriptor").pop(); return d ? word(d, st) : null; })();
  return [{ op: opNode?.type ?? ">", fd: Number.isNaN(fd) ? null : fd, target: dest, span }];
}

function ifStmt(n: Node, st: State): Stmt {
  const clauses: { cond: Stmt[]; body: Stmt[]; span: Span }[] = [];
  let orElse: Stmt[] | null = null;
  // if_statement: condition fields, then body statements until elif/else clauses.
  let cond: Stmt[] = [];
  let body: Stmt[] = [];
  let inBody = false;
  for (let i = 0; i < n.childCount; i++) {
    const c = n.child(i);
    if (!c) continue;
    const fieldName = n.fieldNameForChild(i);
    if (c.type === "then") {
      inBody = true;
      continue;
    }
    if (c.type === "elif_clause" || c.type === "else_clause" || c.type === "fi" || c.type === "if") continue;
    if (!c.isNamed || c.type === "comment") continue;
    if (fieldName === "condition" && !inBody) cond.push(...stmt(c, st));
    else if (inBody) body.push(...stmt(c, st));
  }
  clauses.push({ cond, body, span: spanOf(n) });
  for (const c of kids(n)) {
    if (c.type === "elif_clause") {
      cond = [];
      body = [];
      inBody = false;
      for (let i = 0; i < c.childCount; i++) {
        const x = c.child(i);
        if (!x) continue;
        if (x.type === "then") {
          inBody = true;
          continue;
        }
        if (!x.isNamed || x.type === "comment") continue;
        (inBody ? body : cond).push(...stmt(x, st));
      }
      clauses.push({ cond, body, span: spanOf(c) });
    } else if (c.type === "else_clause") {
      orElse = stmts(kids(c), st);
    }
  }
  return { kind: "if", clauses, orElse, span: spanOf(n) };
}

function caseStmt(n: Node, st: State): Stmt {
  const subjectNode = field(n, "value");
  const items: { patterns: Word[]; body: Stmt[]; span: Span }[] = [];
  for (const item of kids(n)) {
    if (item.type !== "case_item") continue;
    const patterns: Word[] = [];
    const body: Stmt[] = [];
    let afterParen = false;
    for (let i = 0; i < item.childCount; i++) {
      const c = item.child(i);
      if (!c) continue;
      if (c.type === ")") {
        afterParen = true;
        continue;
      }
      if (!c.isNamed || c.type === "comment") continue;
      if (!afterParen && item.fieldNameForChild(i) === "value") patterns.push(word(c, st));
      else if (afterParen) body.push(...stmt(c, st));
    }
    items.push({ patterns, body, span: spanOf(item) });
  }
  const subject = subjectNode ? word(subjectNode, st) : { parts: [], text: "", span: spanOf(n) };
  return { kind: "case", subject, items, span: spanOf(n) };
}

function firstTestChild(n: Node): Node | null {
  return kids(n)[0] ?? null;
}

function testNode(n: Node | null, st: State): TestExpr {
  if (!n) return { kind: "unknown", text: "" };
  switch (n.type) {
    case "binary_expression": {
      const left = field(n, "left");
      const right = field(n, "right");
      const op = field(n, "operator")?.text ?? n.children.find((c) => c && !c.isNamed)?.type ?? "";
      if (op === "&&" || op === "-a" || op === "||" || op === "-o") {
        return { kind: op === "&&" || op === "-a" ? "and" : "or", left: testNode(left, st), right: testNode(right, st) };
      }
      if (!left || !right) return { kind: "unknown", text: n.text };
      return { kind: "compare", op, left: word(left, st), right: word(right, st) };
    }
    case "unary_expression": {
      const opNode = n.child(0);
      const operand = kids(n).filter((c) => c.type !== "test_operator").pop() ?? null;
      const op = opNode?.text ?? "";
      if (op === "!") return { kind: "not", expr: testNode(operand, st) };
      if (!operand) return { kind: "unknown", text: n.text };
      return { kind: "unary", op, operand: word(operand, st) };
    }
    case "parenthesized_expression":
      return testNode(kids(n)[0] ?? null, st);
    case "negated_command":
      return { kind: "not", expr: testNode(kids(n)[0] ?? null, st) };
    default:
      return { kind: "word", word: word(n, st) };
  }
}

/**
 * Stands in for a "/" that the grammar misreads as division: the lone
 * operand of a unary test (`[ -w / ]`). See `repair` in program.ts. Same
 * length, so columns do not move.
 */
export const SLASH_STAND_IN = "\u2044";

/** Source text with the stand-in read back as "/". */
function restore(s: string): string {
  return s.includes(SLASH_STAND_IN) ? s.replaceAll(SLASH_STAND_IN, "/") : s;
}

/** Converts any word-like node into a Word with its parts. */
export function word(n: Node, st: State): Word {
  return { parts: parts(n, st, false), text: restore(n.text), span: spanOf(n) };
}

function parts(n: Node, st: State, quoted: boolean): WordPart[] {
  switch (n.type) {
    case "word":
    case "number":
    case "extglob_pattern":
    case "regex":
    case "special_variable_name": {
      const raw = restore(n.text);
      const text = quoted ? raw : unescape(raw);
      const glob = !quoted && /[*?[]/.test(n.text);
      return glob ? [{ kind: "opaque", text: n.text, glob: true }] : [{ kind: "lit", text, quoted }];
    }
    case "string_content":
      return [{ kind: "lit", text: restore(n.text).replace(/\\([$`"\\\n])/g, "$1"), quoted: true }];
    case "raw_string":
      return [{ kind: "lit", text: restore(n.text.slice(1, -1)), quoted: true }];
    case "ansi_c_string":
      return [{ kind: "opaque", text: n.text }];
    case "string":
    case "translated_string": {
      const out: WordPart[] = [];
      for (const c of kids(n)) out.push(...parts(c, st, true));
      if (n.text === '""' || n.text === '$""') out.push({ kind: "lit", text: "", quoted: true });
      return out;
    }
    case "concatenation": {
      const out: WordPart[] = [];
      for (const c of kids(n)) out.push(...parts(c, st, quoted));
      return out;
    }
    case "simple_expansion": {
      const v = kids(n)[0];
      return [{ kind: "var", name: v?.text ?? n.text.slice(1), quoted }];
    }
    case "expansion":
      return [expansion(n, st, quoted)];
    case "command_substitution": {
      const inner = kids(n);
      return [{ kind: "cmdsub", body: stmts(inner, st), text: n.text }];
    }
    default:
      return [{ kind: "opaque", text: n.text }];
  }
}

function expansion(n: Node, st: State, quoted: boolean): WordPart {
  const text = n.text;
  if (/^\$\{#/.test(text)) return { kind: "opaque", text };
  const inner = kids(n);
  const nameNode = inner.find((c) => c.type === "variable_name" || c.type === "special_variable_name");
  if (!nameNode) return { kind: "opaque", text };
  const opNode = field(n, "operator");
  let op = opNode?.text;
  if (!op) {
    // ${X#pat} / ${X%pat}: the grammar gives the pattern as a regex child.
    const m = /^\$\{[A-Za-z_0-9]+(:?[-=?+]|##?|%%?|\/\/?|\^\^?|,,?)/.exec(text);
    op = m?.[1];
  }
  // Trim patterns (`${F##*/}`) are glob text, often split over several nodes: take them verbatim.
  if (op && /^(##?|%%?)$/.test(op)) {
    const pattern = restore(text.slice(2 + nameNode.text.length + op.length, -1));
    if (!pattern.includes("$") && !pattern.includes("`")) {
      return { kind: "var", name: nameNode.text, op, arg: { parts: [{ kind: "lit", text: unescape(pattern), quoted: true }], text: pattern, span: spanOf(n) }, quoted };
    }
  }
  const argNode = inner.find((c) => c !== nameNode && c.type !== "subscript");
  if (!op) {
    // Plain ${X}; anything else (${X[0]}, ${!X}) is not modelled.
    return text === "${" + nameNode.text + "}" ? { kind: "var", name: nameNode.text, quoted } : { kind: "opaque", text };
  }
  return { kind: "var", name: nameNode.text, op, arg: argNode ? word(argNode, st) : undefined, quoted };
}

/** Removes shell backslash escapes from an unquoted word. */
function unescape(s: string): string {
  return s.replace(/\\(.)/gs, "$1").replace(/\\\n/g, "");
}
