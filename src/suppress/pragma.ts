/**
 * Inline suppression pragmas, read from the text of a scanned file.
 *
 *     # rorlint disable-next-line=ROR103,ROR105 -- resolv.conf is a regular file here
 *     # rorlint disable-file=hwclock-write -- the image has no RTC
 *
 * What is a pragma (README, "Inline suppressions"):
 *
 * - a line whose first non-blank character is `#`, followed (after optional
 *   blanks) by `rorlint`, blanks and a directive. `echo "# rorlint ..."` is
 *   not one (the `#` is not first), and neither are lines in the body of a
 *   here-document, which are skipped. A multi-line quoted string is not
 *   tracked: a line of it that starts with `# rorlint` counts as a pragma.
 * - the directive is `disable-next-line` or `disable-file`, then `=` and one
 *   or more rule ids or names separated by commas, then ` -- ` and the reason.
 * - `disable-next-line` applies to the first following line that is not a
 *   comment line (so several pragmas, and other comments, may be stacked
 *   above a command). A blank line is not skipped: a pragma followed by a
 *   blank line suppresses nothing. It matches findings reported on that line,
 *   which for a command is the line of its command word.
 * - `disable-file` applies to the whole file, wherever it is written.
 *
 * Any `# rorlint` comment whose next word starts with `disable` or `enable`
 * is taken as an attempt at a pragma: if it is malformed, a problem is
 * returned instead. Other comments that mention rorlint are prose.
 */

/** A rule named in a pragma. */
export interface PragmaRule {
  /** As written ("ROR103", "replaces-resolv-conf"). */
  text: string;
  /** The rule's id, or null when no rule has that id or name. */
  ruleId: string | null;
}

export interface Pragma {
  scope: "next-line" | "file";
  /** Line of the comment (1-based), and its span (the `#` to the end of the line; endColumn exclusive). */
  line: number;
  column: number;
  endColumn: number;
  /** For "next-line": the line it applies to; null when the file ends first. */
  target: number | null;
  /** True when the target line is blank: nothing can ever be reported there. */
  targetBlank: boolean;
  rules: PragmaRule[];
  /** The text after ` -- `, trimmed; null when missing or empty. */
  reason: string | null;
}

/** A `# rorlint ...` comment that is not a valid pragma. */
export interface PragmaProblem {
  line: number;
  code: "bad-suppression";
  message: string;
}

export const DIRECTIVES = ["disable-next-line", "disable-file"] as const;

const PRAGMA_LIKE = /^([ \t]*)#[ \t]*rorlint[ \t]+((?:disable|enable)\S*.*)$/;
const DIRECTIVE = /^([A-Za-z-]+)[ \t]*(?:=[ \t]*)?(.*)$/;
const COMMENT_LINE = /^[ \t]*#/;

/**
 * Here-document openers in a line of code: `<<EOF`, `<<-EOF`, `<< 'EOF'`,
 * `<<"EOF"`, `<<\EOF`. Not `<<<` (a here-string) and not `$((1 << 2))`.
 */
const HEREDOC = /(?<![<\d])<<(?!<)(-?)[ \t]*(?:'([^'\n]*)'|"([^"\n]*)"|\\?([A-Za-z_][A-Za-z0-9_]*))/g;

function heredocsOpenedBy(line: string): { delimiter: string; stripTabs: boolean }[] {
  const code = line.replace(/(^|[ \t;])#.*$/, "$1"); // a trailing comment opens nothing
  if (code.includes("((")) return []; // arithmetic: `<<` is a shift
  const out: { delimiter: string; stripTabs: boolean }[] = [];
  for (const m of code.matchAll(HEREDOC)) out.push({ delimiter: m[2] ?? m[3] ?? m[4] ?? "", stripTabs: m[1] === "-" });
  return out;
}

/**
 * Splits a file into lines and tells which are in the body of a here-document
 * (including the closing delimiter line). Index 0 is line 1.
 */
export function heredocLines(lines: readonly string[]): boolean[] {
  const inBody: boolean[] = new Array<boolean>(lines.length).fill(false);
  const pending: { delimiter: string; stripTabs: boolean }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, "");
    if (pending.length > 0) {
      inBody[i] = true;
      const h = pending[0]!;
      if ((h.stripTabs ? raw.replace(/^\t+/, "") : raw) === h.delimiter) pending.shift();
      continue;
    }
    if (COMMENT_LINE.test(raw)) continue;
    pending.push(...heredocsOpenedBy(raw));
  }
  return inBody;
}

/** Resolves a rule id or name to a rule id (null: no such rule). */
export type RuleResolver = (idOrName: string) => string | null;

/** Reads every pragma of a file's text. */
export function parsePragmas(text: string, resolveRule: RuleResolver): { pragmas: Pragma[]; problems: PragmaProblem[] } {
  const lines = text.split("\n").map((l) => l.replace(/\r$/, ""));
  const inHeredoc = heredocLines(lines);
  const pragmas: Pragma[] = [];
  const problems: PragmaProblem[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (inHeredoc[i]) continue;
    const m = PRAGMA_LIKE.exec(lines[i]!);
    if (!m) continue;
    const line = i + 1;
    const column = m[1]!.length + 1;
    const endColumn = lines[i]!.length + 1;
    const d = DIRECTIVE.exec(m[2]!.trim())!;
    const directive = d[1]!;
    if (!(DIRECTIVES as readonly string[]).includes(directive)) {
      problems.push({ line, code: "bad-suppression", message: `unknown rorlint directive "${directive}" (expected ${DIRECTIVES.join(" or ")}): not applied` });
      continue;
    }
    // "IDS -- reason": the first " --" (or "--" right at the start) ends the list.
    const rest = d[2]!;
    const sep = /(?:^|[ \t])--(?:[ \t]|$)/.exec(rest);
    const list = (sep ? rest.slice(0, sep.index) : rest).trim();
    const reason = sep ? rest.slice(sep.index + sep[0].length).trim() : "";
    const names = list
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
    if (names.length === 0 || names.some((n) => /\s/.test(n))) {
      problems.push({ line, code: "bad-suppression", message: `"${directive}" needs rule ids or names separated by commas, then " -- " and a reason: not applied` });
      continue;
    }
    let target: number | null = null;
    let targetBlank = false;
    if (directive === "disable-next-line") {
      for (let j = i + 1; j < lines.length; j++) {
        if (COMMENT_LINE.test(lines[j]!) && !inHeredoc[j]) continue;
        // The last element after a final newline is not a line.
        if (j === lines.length - 1 && lines[j] === "") break;
        target = j + 1;
        targetBlank = lines[j]!.trim() === "";
        break;
      }
    }
    pragmas.push({
      scope: directive === "disable-file" ? "file" : "next-line",
      line,
      column,
      endColumn,
      target,
      targetBlank,
      rules: names.map((text) => ({ text, ruleId: resolveRule(text) })),
      reason: reason === "" ? null : reason,
    });
  }
  return { pragmas, problems };
}
