/**
 * Fixes: safe, mechanical edits that resolve a finding, offered in JSON and
 * SARIF (`fix` on the finding) and applied by `rorlint scan --fix`.
 *
 * A fix is computed from the finding's span (the command, from its command
 * word; endColumn exclusive) and the text of its file. It is offered only
 * when the command sits on one line and the rewrite cannot change what the
 * surrounding code means; otherwise the finding has no fix.
 *
 * - ROR103 `mv [-f] SRC /etc/resolv.conf` becomes
 *   `cat SRC > /etc/resolv.conf && rm -f SRC`: it writes through the name (a
 *   symlink stays a symlink) and removes the temporary file as mv did. Only
 *   for one source, no option but -f, a destination written as
 *   /etc/resolv.conf or a variable, and a source that expands the same way
 *   twice (no `$(...)`, no glob).
 * - ROR104 `hwclock ... --systohc` (or `-w`) becomes
 *   `[ "${HWCLOCKACCESS:-yes}" = no ] || hwclock --noadjfile ... --systohc`:
 *   /etc/adjtime is no longer written, and the administrator can keep the
 *   clock untouched with HWCLOCKACCESS=no in /etc/default/hwclock (Debian's
 *   variable). When the file does not source /etc/default/hwclock, the fix
 *   sources it first (`[ -r /etc/default/hwclock ] && . /etc/default/hwclock;`).
 *   The default keeps today's behaviour. When the scan read
 *   /etc/default/hwclock and it neither sets nor documents HWCLOCKACCESS, the
 *   fix also appends `#HWCLOCKACCESS=yes` with a comment to it: that is what
 *   makes the guard user configuration (for ROR104 and for the
 *   administrator). Without the file in the scanned tree, the guard is
 *   written but ROR104 still reports the command.
 *
 * Where the command sits decides the form: after a statement boundary
 * (start of line, `;`, `then`, `do`, a case pattern's `)`, ...) the new text
 * replaces the command as is; after `||`, `|` or `!` (and, for ROR104, `&&`)
 * it is wrapped in `{ ...; }` so the operators keep their meaning. After
 * anything else (`exec`, `nohup`, an assignment) no fix is offered.
 */
import type { Finding, Fix, Replacement } from "../types.js";
import type { ScanResult } from "../scan.js";
import { commandName, splitWords, unstable, type ShellWord } from "./words.js";

const RESOLV = "/etc/resolv.conf";

/** How the text before a command on its line constrains a rewrite. */
type Before = "boundary" | "and" | "operator" | null;

const STATEMENT_KEYWORDS = new Set(["if", "then", "else", "elif", "do", "while", "until"]);

function before(prefix: string): Before {
  const p = prefix.trimEnd();
  if (p === "") return "boundary";
  if (p.endsWith("&&")) return "and";
  if (p.endsWith("||") || p.endsWith("|") || p.endsWith("!")) return "operator";
  if (/[;&{(`)]$/.test(p)) return "boundary";
  const last = /(\S+)$/.exec(p)?.[1] ?? "";
  return STATEMENT_KEYWORDS.has(last) ? "boundary" : null;
}

/** The text after a command: fine as is, needs a group (a pipe), or unsafe (a redirection, more words). */
function after(suffix: string): "ok" | "pipe" | null {
  const s = suffix.replace(/\r$/, "").trimStart();
  if (s === "" || /^(;|&&|\|\||#|\)|\}|`|&)/.test(s)) return "ok";
  if (s.startsWith("|")) return "pipe";
  return null;
}

/** The command of a one-line finding, with what surrounds it. */
interface Site {
  lineText: string;
  prefix: string;
  command: string;
  suffix: string;
}

function siteOf(f: Finding, text: string): Site | null {
  if (f.endLine !== f.line) return null;
  const lineText = text.split("\n")[f.line - 1];
  if (lineText === undefined || f.endColumn > lineText.length + 1 || f.column < 1) return null;
  return {
    lineText,
    prefix: lineText.slice(0, f.column - 1),
    command: lineText.slice(f.column - 1, f.endColumn - 1),
    suffix: lineText.slice(f.endColumn - 1),
  };
}

/** Replaces the command's span with `text`, in a `{ ...; }` group when the context needs one. */
function replaceCommand(f: Finding, text: string, group: boolean, description: string): Fix {
  return {
    description,
    replacements: [{ path: f.path, line: f.line, column: f.column, endLine: f.endLine, endColumn: f.endColumn, text: group ? `{ ${text}; }` : text }],
  };
}

function unquote(word: ShellWord): string {
  return word.text.replace(/^'(.*)'$/, "$1").replace(/^"(.*)"$/, "$1");
}

/** ROR103: `mv [-f] SRC /etc/resolv.conf` -> `cat SRC > /etc/resolv.conf && rm -f SRC`. */
function fixResolvConf(f: Finding, text: string): Fix | undefined {
  const site = siteOf(f, text);
  if (!site) return undefined;
  const words = splitWords(site.command);
  if (!words || commandName(words[0]) !== "mv") return undefined;
  const operands: ShellWord[] = [];
  let options = true;
  for (const w of words.slice(1)) {
    if (options && w.text === "--") options = false;
    else if (options && (w.text === "-f" || w.text === "--force")) continue;
    else if (options && w.text.startsWith("-")) return undefined;
    else operands.push(w);
  }
  if (operands.length !== 2) return undefined;
  const [src, dest] = operands as [ShellWord, ShellWord];
  const destValue = unquote(dest);
  if (destValue !== RESOLV && !/^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(destValue)) return undefined;
  if (unstable(src) || unquote(src) === RESOLV || src.text.startsWith("-")) return undefined;
  const b = before(site.prefix);
  const a = after(site.suffix);
  if (b === null || a === null) return undefined;
  const group = b === "operator" || a === "pipe";
  return replaceCommand(
    f,
    `cat ${src.text} > ${dest.text} && rm -f ${src.text}`,
    group,
    `Write through ${RESOLV} instead of replacing it: cat the new file into it, then remove the new file.`,
  );
}

const HWCLOCK_GUARD = '[ "${HWCLOCKACCESS:-yes}" = no ] ||';
const SOURCE_DEFAULT = "[ -r /etc/default/hwclock ] && . /etc/default/hwclock;";
const SOURCES_DEFAULT = /(^|[;&|({]|\bthen|\bdo|\belse)[ \t]*(\.|source)[ \t]+["']?\/etc\/default\/hwclock["']?([ \t;&|)]|$)/m;

const HWCLOCK_DEFAULT = "etc/default/hwclock";
const HWCLOCK_DOC = "# Set to no to keep boot and shutdown scripts from writing the hardware clock.\n#HWCLOCKACCESS=yes\n";

/** An insertion at the end of a file's text (after a final newline, adding one if missing). */
function append(path: string, text: string, added: string): Replacement {
  const lines = text.split("\n");
  const line = lines.length;
  const column = lines[line - 1]!.length + 1;
  return { path, line, column, endLine: line, endColumn: column, text: text === "" || text.endsWith("\n") ? added : `\n${added}` };
}

/** ROR104: `hwclock --systohc` -> `[ "${HWCLOCKACCESS:-yes}" = no ] || hwclock --noadjfile --systohc`. */
function fixHwclock(f: Finding, text: string, texts: ReadonlyMap<string, string>): Fix | undefined {
  const site = siteOf(f, text);
  if (!site) return undefined;
  const words = splitWords(site.command);
  if (!words || commandName(words[0]) !== "hwclock") return undefined;
  const args = words.slice(1).map((w) => w.text);
  if (!args.some((a) => a === "--systohc" || a === "-w")) return undefined;
  // Other actions, an explicit drift file, or clustered short options: not mechanical.
  if (args.some((a) => /^(--adjfile|--adjust|--set|--date|-a$|-[a-zA-Z]{2,}$)/.test(a))) return undefined;
  const b = before(site.prefix);
  const a = after(site.suffix);
  if (b === null || a === null) return undefined;
  const group = b !== "boundary" || a === "pipe";
  const name = words[0]!;
  const command = args.includes("--noadjfile") ? site.command : `${site.command.slice(0, name.end)} --noadjfile${site.command.slice(name.end)}`;
  const source = SOURCES_DEFAULT.test(text) ? "" : `${SOURCE_DEFAULT} `;
  const fix = replaceCommand(
    f,
    `${source}${HWCLOCK_GUARD} ${command}`,
    group,
    "Leave /etc/adjtime alone (--noadjfile) and let the administrator keep the hardware clock untouched with HWCLOCKACCESS=no in /etc/default/hwclock.",
  );
  const defaults = texts.get(HWCLOCK_DEFAULT);
  if (defaults !== undefined && !/^[ \t]*#*[ \t]*(export[ \t]+)?HWCLOCKACCESS=/m.test(defaults)) fix.replacements.push(append(HWCLOCK_DEFAULT, defaults, HWCLOCK_DOC));
  return fix;
}

type Fixer = (f: Finding, text: string, texts: ReadonlyMap<string, string>) => Fix | undefined;

const FIXERS: Record<string, Fixer> = {
  ROR103: fixResolvConf,
  ROR104: fixHwclock,
};

/** The fix of a finding, if it has a safe one. `texts`: other files of the scan, by path relative to the root. */
export function fixFor(f: Finding, text: string, texts: ReadonlyMap<string, string> = new Map()): Fix | undefined {
  return FIXERS[f.ruleId]?.(f, text, texts);
}

/** Adds `fix` to every finding of a result that has one; returns how many. */
export function attachFixes(result: ScanResult): number {
  let n = 0;
  for (const f of result.findings) {
    const text = result.sources.get(f.path);
    if (text === undefined) continue;
    const fix = fixFor(f, text, result.texts ?? result.sources);
    if (fix) {
      f.fix = fix;
      n++;
    }
  }
  return n;
}
