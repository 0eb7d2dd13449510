/**
 * Shell text -> rorlint's AST (`syntax.ts`), with the repairs and the
 * line-by-line second attempt that make parsing error-tolerant.
 *
 * This module needs only the parser and the syntax layer, so that a parse
 * worker (`parse-worker.ts`) loads nothing else.
 */
import { convertProgram, SLASH_STAND_IN, type Script, type Stmt } from "./syntax.js";
import { ParseAbandoned, withTree } from "./parser.js";

/**
 * Length-preserving repairs for gaps in the grammar, so that positions do not
 * move: `for i do` becomes `for i;do`, and the lone "/" of `[ -w / ]` a
 * stand-in character that the syntax layer reads back as "/".
 */
export function repair(text: string): string {
  return text
    .replace(/(\[\[?[ \t]+(?:![ \t]+)?-[a-zA-Z][ \t]+)\/(?=[ \t]+\]\]?)/g, `$1${SLASH_STAND_IN}`)
    .replace(/(\bfor[ \t]+[A-Za-z_][A-Za-z0-9_]*)[ \t]+(do\b)/g, (_m, head: string, kw: string) => {
    const gap = _m.length - head.length - kw.length;
    return head + ";" + " ".repeat(gap - 1) + kw;
  });
}

/** Lines of one file re-parsed one by one after a failed region, at most. */
const MAX_REPARSED_LINES = 2000;

/**
 * Parses a script. Lines left in ERROR regions are parsed again one by one,
 * each at its own row (the other lines blanked), so that commands inside a
 * region the grammar could not read are still seen, at their positions.
 */
export async function parseScript(text: string): Promise<Script> {
  const repaired = repair(text);
  const lines = repaired.split("\n");
  let script: Script;
  try {
    script = await withTree(repaired, (root) => convertProgram(root));
  } catch (err) {
    if (!(err instanceof ParseAbandoned)) throw err;
    // Too costly as a whole: every line that holds something goes to the line-by-line attempt.
    const rows = lines.flatMap((l, row) => (/^\s*(#|$)/.test(l) ? [] : [row]));
    script = { body: [], errorLines: rows.length, hasErrors: true, unparsedRows: rows, abandoned: true };
  }
  if (script.unparsedRows.length === 0) return script;
  const stillUnparsed: number[] = [];
  const recovered: Stmt[] = [];
  const known = new Set(script.body.map((s) => `${s.span.line}:${s.span.column}`));
  for (const row of script.unparsedRows.slice(0, MAX_REPARSED_LINES)) {
    // The line alone, then moved to its row (not parsed behind `row` newlines: on a large file full of
    // errors, that would make the second attempt quadratic in its length).
    const part = await withTree(lines[row] ?? "", (root) => (root.hasError ? null : convertProgram(root))).catch((err: unknown) => {
      if (err instanceof ParseAbandoned) return null;
      throw err;
    });
    if (!part || part.body.length === 0) {
      stillUnparsed.push(row);
      continue;
    }
    moveRows(part.body, row);
    recovered.push(...part.body.filter((s) => !known.has(`${s.span.line}:${s.span.column}`)));
  }
  stillUnparsed.push(...script.unparsedRows.slice(MAX_REPARSED_LINES));
  // Put recovered statements back in source order among the top-level ones.
  const body = [...script.body, ...recovered].sort((a, b) => a.span.line - b.span.line || a.span.column - b.span.column);
  return { ...script, body, errorLines: stillUnparsed.length, unparsedRows: stillUnparsed };
}

/** Moves every span in `node` (statements, words ... and what they hold) down by `rows` lines, each span once. */
function moveRows(node: unknown, rows: number, moved = new Set<object>()): void {
  if (typeof node !== "object" || node === null) return;
  if (Array.isArray(node)) {
    for (const x of node) moveRows(x, rows, moved);
    return;
  }
  for (const [key, value] of Object.entries(node)) {
    if (key === "span" && typeof value === "object" && value !== null) {
      if (moved.has(value)) continue;
      moved.add(value);
      const span = value as { line: number; endLine: number };
      span.line += rows;
      span.endLine += rows;
    } else moveRows(value, rows, moved);
  }
}
