/**
 * The syntax layer: what its copy of the tree assumes about the bash
 * grammar, and positions in text that is not ASCII.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseScript } from "../src/shell/parse.js";
import { withTree } from "../src/shell/parser.js";
import { convertProgram, TOKEN_TYPES, TYPES_WITH_FIELDS, type Stmt } from "../src/shell/syntax.js";

interface Rule {
  type: string;
  name?: string;
  value?: string;
  named?: boolean;
  content?: Rule;
  members?: Rule[];
}

const grammarDir = join(dirname(createRequire(import.meta.url).resolve("tree-sitter-bash/tree-sitter-bash.wasm")), "src");
const grammar = JSON.parse(readFileSync(join(grammarDir, "grammar.json"), "utf8")) as { rules: Record<string, Rule>; externals: Rule[] };
const nodeTypes = JSON.parse(readFileSync(join(grammarDir, "node-types.json"), "utf8")) as { type: string; named: boolean; fields?: Record<string, unknown> }[];
const externals = new Set(grammar.externals.flatMap((e) => (e.type === "SYMBOL" && e.name ? [e.name] : [])));

function unwrap(r: Rule): Rule {
  return r.type.startsWith("PREC") ? unwrap(r.content!) : r;
}

/** A rule that the lexer reads as one token (a rule that is only a token, renamed, is one too). */
function tokenRule(name: string): boolean {
  const r = grammar.rules[name];
  if (!r) return externals.has(name);
  const body = unwrap(r);
  return ["STRING", "PATTERN", "TOKEN", "IMMEDIATE_TOKEN"].includes(body.type) || (body.type === "ALIAS" && aliasOfToken(body.content!));
}

/** What an alias wraps, if one token (or a choice of single tokens, each aliased alone). */
function aliasOfToken(content: Rule): boolean {
  const r = unwrap(content);
  if (["STRING", "PATTERN", "TOKEN", "IMMEDIATE_TOKEN"].includes(r.type)) return true;
  if (r.type === "SYMBOL") return tokenRule(r.name!);
  if (r.type === "CHOICE") return r.members!.every(aliasOfToken);
  return false;
}

function aliases(): Rule[] {
  const out: Rule[] = [];
  const walk = (r: Rule): void => {
    if (r.type === "ALIAS") out.push(r);
    if (r.content) walk(r.content);
    for (const m of r.members ?? []) walk(m);
  };
  for (const r of Object.values(grammar.rules)) walk(r);
  return out;
}

describe("the bash grammar, as the syntax layer reads it", () => {
  it("has fields under exactly the types listed", () => {
    const withFields = nodeTypes.filter((t) => t.named && Object.keys(t.fields ?? {}).length > 0).map((t) => t.type);
    expect([...TYPES_WITH_FIELDS].sort()).toEqual([...new Set(withFields)].sort());
  });

  it("makes anonymous nodes only of tokens", () => {
    const anonymous = aliases().filter((a) => !a.named);
    expect(anonymous.length).toBeGreaterThan(0);
    for (const a of anonymous) expect(aliasOfToken(a.content!), `alias to "${a.value}"`).toBe(true);
  });

  it("makes the token types only of tokens", () => {
    for (const type of TOKEN_TYPES) {
      expect(grammar.rules[type] === undefined || tokenRule(type), type).toBe(true);
      for (const a of aliases().filter((x) => x.named && x.value === type)) expect(aliasOfToken(a.content!), `alias to ${type}`).toBe(true);
    }
  });

  it("makes a word of a token, or of a run of hidden tokens", () => {
    for (const a of aliases().filter((x) => x.named && x.value === "word")) {
      const r = unwrap(a.content!);
      const inner = r.content ? unwrap(r.content) : null;
      const run = (r.type === "REPEAT" || r.type === "REPEAT1") && inner?.type === "SYMBOL" && inner.name!.startsWith("_") && tokenRule(inner.name!);
      expect(aliasOfToken(r) || run, JSON.stringify(a.content)).toBe(true);
    }
  });
});

describe("positions", () => {
  const commands = (body: Stmt[]): Extract<Stmt, { kind: "command" }>[] =>
    body.flatMap((s) => (s.kind === "command" ? [s] : s.kind === "block" ? commands(s.body) : []));

  it("count UTF-16 code units, as JavaScript does", async () => {
    const text = "# ünïcødé 😀\necho 'é😀' \"$ß\" x >/tmp/日本\n";
    const [echo] = commands((await parseScript(text)).body);
    const line = text.split("\n")[1]!;
    for (const word of echo!.args) {
      expect(word.span.line).toBe(2);
      expect(word.span.column).toBe(line.indexOf(word.text) + 1);
      expect(word.span.endColumn).toBe(line.indexOf(word.text) + word.text.length + 1);
    }
    expect(echo!.args.map((a) => a.text)).toEqual(["'é😀'", '"$ß"', "x"]);
    expect(echo!.redirects[0]!.target!.text).toBe("/tmp/日本");
    expect(echo!.redirects[0]!.target!.span.column).toBe(line.indexOf("/tmp") + 1);
  });

  it("hold after leading blank lines, as in the lines parsed again one by one", async () => {
    const [mv] = commands((await parseScript("\n\n  mv a b\n")).body);
    expect(mv!.span).toEqual({ line: 3, column: 3, endLine: 3, endColumn: 9 });
    // A line parsed again alone stands at its own row, after that many newlines.
    const [rm] = commands((await withTree("\n".repeat(4) + "\trm -f /etc/ü", (root) => convertProgram(root))).body);
    expect(rm!.span).toEqual({ line: 5, column: 2, endLine: 5, endColumn: 14 });
    expect(rm!.args.map((a) => [a.text, a.span.column])).toEqual([["-f", 5], ["/etc/ü", 8]]);
  });
});
