/**
 * Shell syntax: the tree-sitter tree turned into rorlint's own small AST.
 *
 * This is the only module that touches tree-sitter nodes. Everything after
 * it (evaluation, effects, rules) works on these plain objects, which
 * outlive the tree (trees are deleted right after conversion).
 *
 * The tree is read once, by one preorder walk of a tree cursor, into a light
 * copy (`SNode`: type, field name, offsets, children), and the conversion
 * works on that copy. Every getter of a web-tree-sitter node or cursor
 * copies it into WebAssembly memory and calls into WebAssembly, and `text`
 * slices the source again each time: asking the nodes themselves for the
 * same types, children and text over and over, the conversion cost as much
 * as the parse. Text is now a slice of the source, and rows and columns are
 * worked out from the offsets.
 *
 * Error tolerance: ERROR nodes are descended into, so commands inside and
 * after a region the grammar could not parse are still seen, and keyword
 * commands left over by a failed compound statement ("do mv a b") are read
 * as the command they introduce.
 */
import type { Language } from "web-tree-sitter";
import { walkOf, type Walk } from "./cursor.js";
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
  /** The whole text took too long to parse (it is hardly shell): what it has comes from the line-by-line attempt. */
  abandoned?: boolean;
}

/** The tree being converted: its cursor and source, for what is worked out or read on demand. */
interface Doc {
  cursor: Walk;
  /** The root's text. The root starts after any leading blank space: at offset `base`, row `baseRow`, column `baseColumn`. */
  text: string;
  base: number;
  baseRow: number;
  baseColumn: number;
  /** Where the newlines of `text` are, found on first need. */
  newlines: number[] | null;
}

/** Set by `convertProgram` for the duration of one (synchronous) conversion. */
let doc: Doc | null = null;

function currentDoc(): Doc {
  if (!doc) throw new Error("syntax node used outside convertProgram");
  return doc;
}

/**
 * One node of the tree, copied, answering the questions the conversion asks
 * of a node under web-tree-sitter's names. Text is a slice of the source;
 * rows and columns are worked out from the offsets: for a JavaScript string
 * web-tree-sitter counts offsets and columns in UTF-16 code units, as
 * JavaScript does (rows count "\n" only).
 */
class SNode {
  /** Named children other than comments, worked out once. */
  kids: SNode[] | null = null;
  constructor(
    readonly type: string,
    readonly isNamed: boolean,
    /** Field name in the parent; read only under the types that have fields (`TYPES_WITH_FIELDS`). */
    readonly field: string | null,
    /** Offsets in the source; -1 until asked for, for the types whose offsets are read on demand. */
    private start: number,
    private end: number,
    /** All children, named and anonymous, comments included, as `Node.children`. */
    public children: SNode[],
    /** Position in a preorder walk of the tree: where the cursor finds the node again. */
    readonly index: number,
    /** `Node.hasError`, read for commands only, and only when the tree has errors at all. */
    readonly hasError: boolean,
  ) {}

  private offsets(): void {
    if (this.start >= 0) return;
    const { cursor } = currentDoc();
    cursor.goto(this.index);
    this.start = cursor.startIndex();
    this.end = cursor.endIndex();
  }

  get startIndex(): number {
    this.offsets();
    return this.start;
  }

  get endIndex(): number {
    this.offsets();
    return this.end;
  }

  get text(): string {
    this.offsets();
    const d = currentDoc();
    return d.text.slice(this.start - d.base, this.end - d.base);
  }

  get startRow(): number {
    return point(this.startIndex).row;
  }

  get endRow(): number {
    return point(this.endIndex).row;
  }

  get childCount(): number {
    return this.children.length;
  }

  child(i: number): SNode | null {
    return this.children[i] ?? null;
  }

  fieldNameForChild(i: number): string | null {
    return this.children[i]?.field ?? null;
  }

  childForFieldName(name: string): SNode | null {
    // An ERROR node has no fields of its own (web-tree-sitter finds none), though
    // children inside it can carry fields from the pieces of rules they came from.
    if (this.type === "ERROR") return null;
    for (const c of this.children) if (c.field === name) return c;
    return null;
  }

  childrenForFieldName(name: string): SNode[] {
    return this.children.filter((c) => c.field === name);
  }
}

const NO_CHILDREN: SNode[] = [];

/** Row and column (0-based, as tree-sitter's points) of an offset in the source. */
function point(index: number): { row: number; column: number } {
  const d = currentDoc();
  const at = index - d.base;
  if (!d.newlines) {
    d.newlines = [];
    for (let i = d.text.indexOf("\n"); i >= 0; i = d.text.indexOf("\n", i + 1)) d.newlines.push(i);
  }
  // How many newlines come before the offset: its row, counted from the root's.
  const nl = d.newlines;
  let lo = 0;
  let hi = nl.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (nl[mid]! < at) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? { row: d.baseRow, column: d.baseColumn + at } : { row: d.baseRow + lo, column: at - nl[lo - 1]! - 1 };
}

function spanOf(n: SNode): Span {
  const start = point(n.startIndex);
  const end = point(n.endIndex);
  return { line: start.row + 1, column: start.column + 1, endLine: end.row + 1, endColumn: end.column + 1 };
}

/**
 * The node types that have fields in the bash grammar (its node-types.json;
 * a test keeps the two the same). In a tree without errors, where every node
 * comes from a rule of the grammar, fields are read only under these; in a
 * tree with errors, under every node (an ERROR node can hold pieces of rules
 * with their fields).
 */
export const TYPES_WITH_FIELDS = [
  "binary_expression",
  "c_style_for_statement",
  "case_item",
  "case_statement",
  "command",
  "command_substitution",
  "expansion",
  "file_redirect",
  "for_statement",
  "function_definition",
  "heredoc_redirect",
  "herestring_redirect",
  "if_statement",
  "postfix_expression",
  "redirected_statement",
  "subscript",
  "ternary_expression",
  "unary_expression",
  "variable_assignment",
  "while_statement",
];

/**
 * Named types that are tokens in the bash grammar (a test checks it against
 * its grammar.json): like anonymous nodes, they never have children, so
 * the walk does not look for any.
 */
export const TOKEN_TYPES = [
  "ansi_c_string",
  "comment",
  "extglob_pattern",
  "file_descriptor",
  "heredoc_content",
  "heredoc_end",
  "heredoc_start",
  "raw_string",
  "regex",
  "special_variable_name",
  "string_content",
  "test_operator",
  "variable_name",
];

/**
 * Types whose offsets are read only when asked for: anonymous nodes
 * (keywords and operators, a third of all nodes), and named types whose text
 * and position the conversion seldom needs (it reads their children's).
 */
const LAZY_OFFSETS = ["comment", "command_name", "simple_expansion", "unary_expression", "binary_expression"];

/** What a language's type ids mean, worked out once per language. */
interface Types {
  names: string[];
  named: boolean[];
  hasFields: boolean[];
  /** Types that never have children: anonymous ones (every alias to an anonymous name in this grammar wraps a token) and `TOKEN_TYPES`. */
  token: boolean[];
  /**
   * The same, and `word`: also a rule of the grammar (a run of hidden
   * one-character tokens), with no children to show in a tree without
   * errors, where nothing else can end up under it.
   */
  tokenWithoutErrors: boolean[];
  lazy: boolean[];
  fields: (string | null)[];
}

const languageTypes = new WeakMap<Language, Types>();

function typesOf(language: Language): Types {
  let t = languageTypes.get(language);
  if (t) return t;
  t = { names: [], named: [], hasFields: [], token: [], tokenWithoutErrors: [], lazy: [], fields: language.fields };
  const withFields = new Set(TYPES_WITH_FIELDS);
  const tokens = new Set(TOKEN_TYPES);
  const lazy = new Set(LAZY_OFFSETS);
  for (let id = 0; id < language.types.length; id++) {
    const name = language.types[id] || "ERROR"; // as `Node.type` says
    const named = language.nodeTypeIsNamed(id);
    t.names.push(name);
    t.named.push(named);
    t.hasFields.push(withFields.has(name));
    t.token.push(!named || tokens.has(name));
    t.tokenWithoutErrors.push(!named || tokens.has(name) || name === "word");
    t.lazy.push(!named || lazy.has(name));
  }
  languageTypes.set(language, t);
  return t;
}

/**
 * Copies the tree in one preorder walk of `cursor`, which ends back on the
 * root. Per node: its type id, its offsets (unless read on demand), its
 * field when its parent's type has fields, and the moves of the cursor:
 * about five calls into WebAssembly per named node and two per keyword or
 * operator, and no node objects (each one web-tree-sitter makes costs about
 * as much as a call).
 */
function mirror(cursor: Walk, types: Types, treeHasError: boolean): SNode {
  let index = 0;
  const tokens = treeHasError ? types.token : types.tokenWithoutErrors;
  // About the node read last: whether its children's fields are read, and whether it is a token.
  let fieldsBelow = false;
  let token = false;
  const read = (underFields: boolean): SNode => {
    const id = cursor.typeId();
    // Ids past the table are the error symbol: "ERROR" for `Node.type`, and named.
    const known = id < types.names.length;
    const type = known ? types.names[id]! : "ERROR";
    fieldsBelow = treeHasError || (known && types.hasFields[id]!);
    token = known && tokens[id]!;
    const lazy = known && types.lazy[id]!;
    const fieldId = underFields ? cursor.fieldId() : 0;
    return new SNode(
      type,
      known ? types.named[id]! : true,
      fieldId ? (types.fields[fieldId] ?? null) : null,
      lazy ? -1 : cursor.startIndex(),
      lazy ? -1 : cursor.endIndex(),
      NO_CHILDREN,
      index++,
      // The error flag sums up a subtree: in a tree without errors, no node has any.
      treeHasError && type === "command" ? cursor.hasError() : false,
    );
  };
  const root = read(false);
  let node = root;
  // The ancestors of the cursor's node, and whether fields are read under each.
  const parents: SNode[] = [];
  const parentFields: boolean[] = [];
  for (;;) {
    if (!token && cursor.firstChild()) {
      parents.push(node);
      parentFields.push(fieldsBelow);
      const parent = node;
      node = read(fieldsBelow);
      parent.children = [node];
      continue;
    }
    // No children: on to the next sibling of the node or of its nearest ancestor that has one.
    for (;;) {
      const depth = parents.length;
      if (depth === 0) return root;
      if (cursor.nextSibling()) {
        node = read(parentFields[depth - 1]!);
        parents[depth - 1]!.children.push(node);
        break;
      }
      cursor.parent();
      parents.pop();
      parentFields.pop();
    }
  }
}

function kids(n: SNode): SNode[] {
  return (n.kids ??= n.children.filter((c) => c.isNamed && c.type !== "comment"));
}

function field(n: SNode, name: string): SNode | null {
  return n.childForFieldName(name);
}

/** Words the grammar leaves behind when a compound statement fails to parse. */
const STRAY_KEYWORDS = new Set(["do", "then", "else", "elif", "in"]);
const CLOSING_KEYWORDS = new Set(["done", "fi", "esac", "}", "then", "do", "else"]);

export function convertProgram(root: Node): Script {
  const hasErrors = root.hasError;
  // Everything asked of the root first: while the walk is open, nothing else may call into web-tree-sitter (see cursor.ts).
  const { text, startIndex: base, startPosition } = root;
  const types = typesOf(root.tree.language);
  const cursor = walkOf(root);
  const outer = doc;
  try {
    doc = { cursor, text, base, baseRow: startPosition.row, baseColumn: startPosition.column, newlines: null };
    const top = mirror(cursor, types, hasErrors);
    const state = { errorRows: new Set<number>(), hasErrors };
    const body = stmts(kids(top), state);
    // Rows of ERROR regions that no recovered statement covers, and that hold code (not blank, not a comment).
    const lines = state.errorRows.size ? doc.text.split("\n") : [];
    const rows = [...state.errorRows].filter((r) => /^\s*[^\s#]/.test(lines[r] ?? "")).sort((a, b) => a - b);
    return { body, errorLines: rows.length, hasErrors: state.hasErrors, unparsedRows: rows };
  } finally {
    doc = outer;
    cursor.close();
  }
}

interface State {
  errorRows: Set<number>;
  hasErrors: boolean;
}

/**
 * `Array.prototype.map`, with the result built by `push`. V8's optimizing
 * compiler makes the arrays of an inlined `map` "holey", which
 * `v8.serialize` (parse workers, the AST cache) writes in its sparse form:
 * the same AST would give different bytes depending on what had been
 * compiled.
 */
function mapPacked<T, U>(items: T[], f: (item: T) => U): U[] {
  const out: U[] = [];
  for (const item of items) out.push(f(item));
  return out;
}

function stmts(nodes: SNode[], st: State): Stmt[] {
  const out: Stmt[] = [];
  for (const n of nodes) out.push(...stmt(n, st));
  return out;
}

function stmt(n: SNode, st: State): Stmt[] {
  switch (n.type) {
    case "command":
      // An error inside a command's words (an unterminated `$((`) may have swallowed the next lines: try them again.
      if (n.hasError) for (let r = n.startRow; r <= n.endRow; r++) st.errorRows.add(r);
      return [command(n, st)].filter((s): s is Stmt => s !== null);
    case "variable_assignment":
      return [{ kind: "assign", assigns: [assign(n, st)], decl: null, span: spanOf(n) }];
    case "variable_assignments":
      return [{ kind: "assign", assigns: mapPacked(kids(n).filter((c) => c.type === "variable_assignment"), (c) => assign(c, st)), decl: null, span: spanOf(n) }];
    case "declaration_command":
      return [declaration(n, st)];
    case "unset_command":
      return [];
    case "test_command":
      return [{ kind: "test", expr: testNode(firstTestChild(n), st), redirects: [], span: spanOf(n), text: n.text }];
    case "redirected_statement": {
      const bodyNode = field(n, "body");
      const redirects = n.childrenForFieldName("redirect").flatMap((r) => redirect(r, st));
      if (!bodyNode) return redirects.length ? [{ kind: "block", body: [], subshell: false, redirects, span: spanOf(n) }] : [];
      const inner = stmt(bodyNode, st);
      // The grammar reads `a && b > f` and `a | b > f` as a redirected list; the redirection belongs to b.
      const target = inner.length === 1 ? rightmost(inner[0]!) : null;
      if (target) {
        target.redirects.push(...redirects);
        return inner;
      }
      return [{ kind: "block", body: inner, subshell: false, redirects, span: spanOf(n) }];
    }
    case "if_statement":
      return [ifStmt(n, st)];
    case "case_statement":
      return [caseStmt(n, st)];
    case "for_statement":
    case "select_statement": {
      const variable = field(n, "variable")?.text;
      const items = mapPacked(n.childrenForFieldName("value"), (c) => word(c, st));
      const body = field(n, "body");
      return [{ kind: "loop", loop: "for", cond: [], body: body ? stmts(kids(body), st) : [], span: spanOf(n), variable, items }];
    }
    case "c_style_for_statement": {
      const body = field(n, "body");
      return [{ kind: "loop", loop: "for", cond: [], body: body ? stmts(kids(body), st) : [], span: spanOf(n) }];
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
          span: spanOf(n),
        },
      ];
    }
    case "list": {
      const [l, r] = kids(n);
      const op = n.children.find((c) => c && (c.type === "&&" || c.type === "||"))?.type;
      const left = l ? stmt(l, st) : [];
      const right = r ? stmt(r, st) : [];
      if (!op || left.length !== 1 || right.length !== 1) return [...left, ...right];
      return [{ kind: op === "&&" ? "and" : "or", left: left[0]!, right: right[0]!, span: spanOf(n) }];
    }
    case "negated_command": {
      const inner = kids(n).flatMap((c) => stmt(c, st));
      return inner.length === 1 ? [{ kind: "not", body: inner[0]!, span: spanOf(n) }] : inner;
    }
    case "pipeline":
      return [{ kind: "pipeline", stages: kids(n).flatMap((c) => stmt(c, st)), span: spanOf(n) }];
    case "compound_statement":
    case "do_group":
      return [{ kind: "block", body: stmts(kids(n), st), subshell: false, redirects: [], span: spanOf(n) }];
    case "subshell":
      return [{ kind: "block", body: stmts(kids(n), st), subshell: true, redirects: [], span: spanOf(n) }];
    case "function_definition": {
      const name = field(n, "name")?.text ?? "";
      const body = field(n, "body");
      const inner = body ? stmt(body, st) : [];
      const flat = inner.length === 1 && inner[0]!.kind === "block" ? inner[0]!.body : inner;
      return [{ kind: "function", name, body: flat, span: spanOf(n) }];
    }
    case "ERROR": {
      st.hasErrors = true;
      const recovered = kids(n).flatMap((c) => stmt(c, st));
      const covered = new Set<number>();
      for (const s of recovered) for (let r = s.span.line - 1; r < s.span.endLine; r++) covered.add(r);
      for (let r = n.startRow; r <= n.endRow; r++) if (!covered.has(r)) st.errorRows.add(r);
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
function endsInBareDollar(n: SNode): boolean {
  const last = n.child(n.childCount - 1);
  return n.type === "concatenation" && last !== null && !last.isNamed && last.type === "$";
}

/** Joins "$DIR/$" and "NAME.pid" back into one word. */
function joinSplitWord(head: Word, tail: SNode, st: State): Word {
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
function words(nodes: SNode[], st: State): Word[] {
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

function command(n: SNode, st: State): Stmt | null {
  let nameNode = field(n, "name");
  const env: Assign[] = [];
  const argNodes: SNode[] = [];
  const redirects: Redirect[] = [];
  for (const c of kids(n)) {
    if (c === nameNode) continue;
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

function assign(n: SNode, st: State): Assign {
  const nameNode = field(n, "name");
  const valueNode = field(n, "value");
  const append = n.children.some((c) => c?.type === "+=");
  let name = nameNode?.text ?? n.text.split("=")[0] ?? "";
  if (nameNode?.type === "subscript") name = field(nameNode, "name")?.text ?? name;
  return { name, value: valueNode ? word(valueNode, st) : null, append, span: spanOf(n) };
}

function declaration(n: SNode, st: State): Stmt {
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

function redirect(n: SNode, st: State): Redirect[] {
  const span = spanOf(n);
  const fdNode = field(n, "descriptor");
  const fd = fdNode ? Number.parseInt(fdNode.text, 10) : null;
  if (n.type === "heredoc_redirect") {
    // `cat <<EOF > file`: the file redirect nests inside the heredoc redirect.
    const nested = n.childrenForFieldName("redirect").flatMap((r) => redirect(r, st));
    return [{ op: "<<", fd, target: null, span }, ...nested];
  }
  if (n.type === "herestring_redirect") return [{ op: "<<<", fd, target: null, span }];
  const opNode = n.children.find((c) => c !== null && !c.isNamed);
  const dests = n.childrenForFieldName("destination");
  const dest = dests.length ? words(dests, st)[0]! : (() => { const d = kids(n).filter((c) => c.type !== "file_descriptor").pop(); return d ? word(d, st) : null; })();
  return [{ op: opNode?.type ?? ">", fd: Number.isNaN(fd) ? null : fd, target: dest, span }];
}

function ifStmt(n: SNode, st: State): Stmt {
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

function caseStmt(n: SNode, st: State): Stmt {
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

function firstTestChild(n: SNode): SNode | null {
  return kids(n)[0] ?? null;
}

function testNode(n: SNode | null, st: State): TestExpr {
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
function word(n: SNode, st: State): Word {
  return { parts: parts(n, st, false), text: restore(n.text), span: spanOf(n) };
}

function parts(n: SNode, st: State, quoted: boolean): WordPart[] {
  switch (n.type) {
    case "word":
    case "number":
    case "extglob_pattern":
    case "regex":
    case "special_variable_name": {
      const source = n.text;
      const raw = restore(source);
      const text = quoted ? raw : unescape(raw);
      const glob = !quoted && /[*?[]/.test(source);
      return glob ? [{ kind: "opaque", text: source, glob: true }] : [{ kind: "lit", text, quoted }];
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

function expansion(n: SNode, st: State, quoted: boolean): WordPart {
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
  return s.includes("\\") ? s.replace(/\\(.)/gs, "$1").replace(/\\\n/g, "") : s;
}
