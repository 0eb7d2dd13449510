/**
 * systemd unit files: the shell that `ExecStart*=`/`ExecStop*=` lines run
 * through `/bin/sh -c '...'`, and what a unit tells about when it runs.
 *
 * The parser follows systemd's own rules closely enough for masking:
 * a line ending in a backslash continues on the next (comment lines in
 * between are skipped), words are split on white space with `'...'` and
 * `"..."` quoting and C escapes, `%x` specifiers are expanded, and `$$`
 * stands for `$`. The `-c` argument becomes a masked text (see text.ts):
 * its characters stay at their original line and column; the outer quotes
 * become spaces; an inner quote, an escape, `$$` or a specifier is replaced
 * and recorded in the column map. A continuation (`\` + newline) is kept as
 * it is, which the shell reads as a line continuation too.
 */
import { MaskBuilder, shellQuote, UNKNOWN_VALUE, type Masked } from "./text.js";

/** One character of a logical (continuation-joined) value, and where it is in the file. */
interface Char {
  ch: string;
  off: number;
  /** A continuation: the backslash at `off` stands for a space; the next line's text starts at `next`. */
  next?: number;
}

export interface UnitEntry {
  section: string;
  key: string;
  /** The logical value (continuations joined). */
  value: string;
  chars: Char[];
  /** 1-based line of the key. */
  line: number;
}

export interface Unit {
  entries: UnitEntry[];
  get(section: string, key: string): UnitEntry[];
  /** Space-separated values of every `key=` in `section`. */
  list(section: string, key: string): string[];
}

export function parseUnit(text: string): Unit {
  const entries: UnitEntry[] = [];
  let section = "";
  let current: { key: string; chars: Char[]; line: number } | null = null;
  let lineNo = 0;
  let off = 0;
  const finishEntry = () => {
    if (!current) return;
    let chars = current.chars;
    while (chars.length && /\s/.test(chars[chars.length - 1]!.ch) && !chars[chars.length - 1]!.next) chars = chars.slice(0, -1);
    entries.push({ section, key: current.key, value: chars.map((c) => c.ch).join(""), chars, line: current.line });
    current = null;
  };
  for (const raw of text.split("\n")) {
    lineNo++;
    const start = off;
    off += raw.length + 1;
    const lead = raw.length - raw.replace(/^[ \t\r]+/, "").length;
    const body = raw.slice(lead).replace(/\r$/, "");
    if (current) {
      if (/^[#;]/.test(body)) continue; // a comment inside a continuation is skipped
      // Where the continued text starts: recorded on the continuation character.
      const cont = current.chars[current.chars.length - 1];
      if (cont?.next !== undefined) cont.next = start + lead;
      append(current.chars, body, start + lead);
    } else {
      if (body === "" || /^[#;]/.test(body)) continue;
      const sec = /^\[([^\]]+)\]/.exec(body);
      if (sec) {
        section = sec[1]!;
        continue;
      }
      const eq = body.indexOf("=");
      if (eq <= 0) continue;
      const key = body.slice(0, eq).trim();
      let v = eq + 1;
      while (v < body.length && (body[v] === " " || body[v] === "\t")) v++;
      current = { key, chars: [], line: lineNo };
      append(current.chars, body.slice(v), start + lead + v);
    }
    if (current && endsWithContinuation(current.chars)) {
      const last = current.chars[current.chars.length - 1]!;
      last.ch = " ";
      last.next = off; // refined when the next content line is read
    } else finishEntry();
  }
  finishEntry();
  return {
    entries,
    get: (s, k) => entries.filter((e) => e.section === s && e.key === k),
    list: (s, k) => entries.filter((e) => e.section === s && e.key === k).flatMap((e) => e.value.split(/\s+/).filter(Boolean)),
  };
}

function append(chars: Char[], text: string, off: number): void {
  for (let i = 0; i < text.length; i++) chars.push({ ch: text[i]!, off: off + i });
}

function endsWithContinuation(chars: Char[]): boolean {
  let n = 0;
  for (let i = chars.length - 1; i >= 0 && chars[i]!.ch === "\\" && !chars[i]!.next; i--) n++;
  return n % 2 === 1;
}

/** A piece of a word: a character as written, a quote (removed), or something systemd replaces. */
type Piece =
  | { kind: "char"; c: Char }
  | { kind: "quote"; c: Char }
  | { kind: "subst"; start: number; end: number; text: string; raw: string };

interface Word {
  pieces: Piece[];
  /** The word as systemd passes it (unquoted, unescaped; specifiers and $$ not applied). */
  text: string;
}

const C_ESCAPES: Record<string, string> = { a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "\\": "\\", '"': '"', "'": "'", s: " ", ";": ";" };

/** Splits a logical value into words the way systemd's extract_first_word does for Exec lines. */
export function splitWords(chars: Char[]): Word[] {
  const words: Word[] = [];
  let i = 0;
  const isSpace = (c: Char) => c.ch === " " || c.ch === "\t" || c.ch === "\n";
  while (i < chars.length) {
    while (i < chars.length && isSpace(chars[i]!)) i++;
    if (i >= chars.length) break;
    const pieces: Piece[] = [];
    let text = "";
    let quote: string | null = null;
    while (i < chars.length) {
      const c = chars[i]!;
      if (!quote && isSpace(c)) break;
      if (c.ch === "\\" && !c.next && i + 1 < chars.length) {
        const e = escapeAt(chars, i);
        pieces.push({ kind: "subst", start: c.off, end: chars[i + e.length - 1]!.off + 1, text: e.text, raw: chars.slice(i, i + e.length).map((x) => x.ch).join("") });
        text += e.text;
        i += e.length;
        continue;
      }
      if (!quote && (c.ch === "'" || c.ch === '"')) {
        quote = c.ch;
        pieces.push({ kind: "quote", c });
      } else if (quote && c.ch === quote) {
        quote = null;
        pieces.push({ kind: "quote", c });
      } else {
        pieces.push({ kind: "char", c });
        text += c.ch;
      }
      i++;
    }
    words.push({ pieces, text });
  }
  return words;
}

function escapeAt(chars: Char[], i: number): { text: string; length: number } {
  const n = chars[i + 1]!.ch;
  if (n in C_ESCAPES) return { text: C_ESCAPES[n]!, length: 2 };
  const hex = (len: number) => {
    const s = chars.slice(i + 2, i + 2 + len).map((c) => c.ch).join("");
    return s.length === len && /^[0-9a-fA-F]+$/.test(s) ? String.fromCodePoint(Number.parseInt(s, 16)) : null;
  };
  if (n === "x") {
    const t = hex(2);
    if (t !== null) return { text: t, length: 4 };
  }
  if (n === "u") {
    const t = hex(4);
    if (t !== null) return { text: t, length: 6 };
  }
  if (/[0-7]/.test(n)) {
    const s = chars.slice(i + 1, i + 4).map((c) => c.ch).join("");
    if (/^[0-7]{3}$/.test(s)) return { text: String.fromCharCode(Number.parseInt(s, 8)), length: 4 };
  }
  // An unknown escape is kept as written (systemd warns and keeps it).
  return { text: "\\" + n, length: 2 };
}

/** What systemd knows about a unit without running it: its specifiers. */
export interface UnitContext {
  /** Unit file name, e.g. "foo.service" or "foo@.service". */
  name: string;
}

/** Values of systemd specifiers for a system unit; null when unknown at build time. */
function specifier(letter: string, ctx: UnitContext): string | null {
  const dot = ctx.name.lastIndexOf(".");
  const full = ctx.name;
  const stem = dot > 0 ? full.slice(0, dot) : full;
  const at = stem.indexOf("@");
  const prefix = at >= 0 ? stem.slice(0, at) : stem;
  const template = at >= 0;
  const known: Record<string, string | null> = {
    "%": "%",
    n: template ? null : full,
    N: template ? null : stem,
    p: prefix,
    P: prefix,
    i: template ? null : "",
    I: template ? null : "",
    j: prefix.slice(prefix.lastIndexOf("-") + 1),
    J: prefix.slice(prefix.lastIndexOf("-") + 1),
    t: "/run",
    S: "/var/lib",
    C: "/var/cache",
    L: "/var/log",
    E: "/etc",
    T: "/tmp",
    V: "/var/tmp",
    h: "/root",
    u: "root",
    U: "0",
    g: "root",
    G: "0",
  };
  return letter in known ? known[letter]! : null;
}

/**
 * Applies specifiers (`%x`) and `$$` to a word's pieces: each becomes a
 * `subst` piece whose text is what the shell then sees.
 */
function applySubstitutions(pieces: Piece[], ctx: UnitContext): Piece[] {
  const out: Piece[] = [];
  for (let k = 0; k < pieces.length; k++) {
    const p = pieces[k]!;
    const next = pieces[k + 1];
    if (p.kind === "char" && next?.kind === "char" && p.c.off + 1 === next.c.off) {
      if (p.c.ch === "%") {
        const v = specifier(next.c.ch, ctx);
        out.push({ kind: "subst", start: p.c.off, end: next.c.off + 1, text: v ?? UNKNOWN_VALUE, raw: "%" + next.c.ch });
        k++;
        continue;
      }
      if (p.c.ch === "$" && next.c.ch === "$") {
        out.push({ kind: "subst", start: p.c.off, end: next.c.off + 1, text: "$", raw: "$$" });
        k++;
        continue;
      }
    }
    out.push(p);
  }
  return out;
}

/** A shell command line that a unit runs. */
export interface ExecShell {
  key: string;
  /** Line of the key. */
  line: number;
  /** The `-c` text as a masked text of the whole unit file. */
  masked: Masked;
  interpreter: string;
}

/** A unit runs a program directly (not `sh -c`): the program's path, for role propagation. */
export interface ExecProgram {
  key: string;
  line: number;
  path: string;
}

const SHELLS = new Set(["sh", "bash", "dash", "ash", "ksh", "mksh", "busybox"]);
export const EXEC_KEYS = ["ExecCondition", "ExecStartPre", "ExecStart", "ExecStartPost", "ExecReload", "ExecStop", "ExecStopPost"];

function basename(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1);
}

/**
 * The shell command lines and programs of a unit's `Exec*=` keys.
 * `preamble` is shell put on line 1 (which is never part of an Exec line):
 * the unit's `Environment=` assignments.
 */
export function execLines(text: string, unit: Unit, ctx: UnitContext): { shells: ExecShell[]; programs: ExecProgram[] } {
  const shells: ExecShell[] = [];
  const programs: ExecProgram[] = [];
  const preamble = environmentPreamble(unit);
  for (const e of unit.entries) {
    if (!EXEC_KEYS.includes(e.key)) continue;
    // ExecStart= may list several command lines separated by a lone ";" (oneshot units).
    const words = splitWords(e.chars);
    const commands: Word[][] = [[]];
    for (const w of words) {
      if (w.text === ";" && w.pieces.length === 1) commands.push([]);
      else commands[commands.length - 1]!.push(w);
    }
    for (const argv of commands) {
      if (argv.length === 0) continue;
      let exe = argv[0]!.text.replace(/^[-@:+!]+/, "");
      let rest = argv.slice(1);
      if (/^[-:+!]*@/.test(argv[0]!.text)) rest = rest.slice(1); // "@": the next word is argv[0]
      let prog = basename(exe);
      if (prog === "busybox" && rest[0] && ["sh", "ash"].includes(rest[0].text)) {
        prog = rest[0].text;
        rest = rest.slice(1);
      }
      if (!SHELLS.has(prog) || prog === "busybox") {
        if (exe.startsWith("/")) programs.push({ key: e.key, line: e.line, path: exe });
        continue;
      }
      // Shell options up to the command string: -c, -ec, -o pipefail -c ...
      let hasC = false;
      let i = 0;
      for (; i < rest.length; i++) {
        const t = rest[i]!.text;
        if (/^[-+]o$|^[-+]O$/.test(t)) {
          i++;
          continue;
        }
        if (/^[-+][A-Za-z]+$/.test(t)) {
          if (t.startsWith("-") && t.includes("c")) hasC = true;
          continue;
        }
        break;
      }
      const arg = rest[i];
      if (!arg) continue;
      if (!hasC) {
        // `sh /path/to/script`: the script runs, for role propagation.
        if (arg.text.startsWith("/")) programs.push({ key: e.key, line: e.line, path: arg.text });
        continue;
      }
      shells.push({ key: e.key, line: e.line, masked: maskWord(text, arg, ctx, e.line > 1 ? preamble : ""), interpreter: prog === "bash" ? "bash" : "sh" });
    }
  }
  return { shells, programs };
}

/** `Environment="A=1" B=2` as shell assignments, for line 1 of every masked Exec text. */
function environmentPreamble(unit: Unit): string {
  const out: string[] = [];
  for (const e of unit.entries) {
    if (e.section !== "Service" || e.key !== "Environment") continue;
    for (const w of splitWords(e.chars)) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(w.text);
      if (m && !m[2]!.includes("\n")) out.push(`${m[1]}=${shellQuote(m[2]!)};`);
    }
  }
  return out.join(" ");
}

function maskWord(text: string, word: Word, ctx: UnitContext, preamble: string): Masked {
  const b = new MaskBuilder(text);
  if (preamble) {
    const eol = text.indexOf("\n");
    b.replace(eol < 0 ? text.length : eol, preamble);
  }
  const pieces = applySubstitutions(word.pieces, ctx);
  const firstReal = pieces.findIndex((p) => p.kind !== "quote");
  let lastReal = -1;
  pieces.forEach((p, k) => {
    if (p.kind !== "quote") lastReal = k;
  });
  pieces.forEach((p, k) => {
    if (p.kind === "quote") {
      // The outer quotes become spaces; quotes inside the word are dropped.
      if (b.offset > p.c.off) return;
      if (k < firstReal || k > lastReal) b.mask(p.c.off).mask(p.c.off + 1);
      else b.mask(p.c.off).replace(p.c.off + 1, "");
      return;
    }
    if (p.kind === "subst") {
      b.mask(p.start);
      // A C escape that yields a newline cannot add a line: a ";" separates commands as well.
      b.replace(p.end, p.text.replace(/\n/g, ";"));
      return;
    }
    b.mask(p.c.off);
    if (p.c.next !== undefined) {
      // A continuation: keep "\", the newline and the indentation; skipped comment lines become "\" lines.
      b.copy(p.c.off + 2);
      while (b.offset < p.c.next) {
        const eol = text.indexOf("\n", b.offset);
        if (eol < 0 || eol >= p.c.next) {
          b.copy(p.c.next);
          break;
        }
        if (eol > b.offset) b.mask(eol - 1).replace(eol, "\\");
        b.copy(eol + 1);
      }
      return;
    }
    b.copy(p.c.off + 1);
  });
  return b.finish();
}

/**
 * Whether installing the unit enables it: an [Install] section that hooks it
 * into a target. A template (`foo@.service`) is only ever enabled as an
 * instance, which installation does only with a DefaultInstance=.
 */
export function isEnabled(unit: Unit, name: string): boolean {
  if (/@\.[a-z]+$/.test(name) && unit.list("Install", "DefaultInstance").length === 0) return false;
  return ["WantedBy", "RequiredBy", "UpheldBy"].some((k) => unit.list("Install", k).length > 0);
}

/** Directories the service manager creates before the unit starts (StateDirectory= ...). */
export function managedDirectories(unit: Unit): string[] {
  const roots: Record<string, string> = { StateDirectory: "/var/lib", CacheDirectory: "/var/cache", LogsDirectory: "/var/log", RuntimeDirectory: "/run" };
  const out: string[] = [];
  for (const [key, root] of Object.entries(roots)) {
    for (const v of unit.list("Service", key)) {
      const dir = v.split(":")[0]!;
      if (dir && !dir.startsWith("/")) out.push(`${root}/${dir}`);
    }
  }
  return out;
}

/** Units another unit pulls in or triggers: Wants=, Requires=, Also=, a timer's Unit= (or its own name). */
export function pulls(unit: Unit, name: string): { wants: string[]; triggers: string[] } {
  const wants = [...unit.list("Unit", "Wants"), ...unit.list("Unit", "Requires"), ...unit.list("Unit", "Upholds"), ...unit.list("Install", "Also")];
  const triggers: string[] = [];
  const dot = name.lastIndexOf(".");
  const type = name.slice(dot + 1);
  if (type === "timer" || type === "socket" || type === "path") {
    const section = type[0]!.toUpperCase() + type.slice(1);
    const explicit = unit.list(section, "Unit");
    triggers.push(...(explicit.length ? explicit : [`${name.slice(0, dot)}.service`]));
  }
  return { wants, triggers };
}
