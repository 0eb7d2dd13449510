/**
 * A small, strict splitter of one simple shell command into words, for the
 * fixes: it understands blanks, quotes and `$(...)`/`${...}`, and gives up
 * (null) on anything that would make a textual rewrite unsafe: operators,
 * redirections, comments, here-documents, unbalanced quotes.
 */

export interface ShellWord {
  /** The word as written (quotes kept). */
  text: string;
  /** Offsets in the command text: [start, end). */
  start: number;
  end: number;
}

/** Characters that end or start something other than a plain word. */
const OPERATOR = /[;&|<>()#`\n]/;

export function splitWords(command: string): ShellWord[] | null {
  const words: ShellWord[] = [];
  let i = 0;
  const n = command.length;
  while (i < n) {
    const c = command[i]!;
    if (c === " " || c === "\t") {
      i++;
      continue;
    }
    const start = i;
    let word = "";
    while (i < n) {
      const ch = command[i]!;
      if (ch === " " || ch === "\t") break;
      if (ch === "\\") {
        if (i + 1 >= n) return null;
        word += command.slice(i, i + 2);
        i += 2;
        continue;
      }
      if (ch === "'") {
        const close = command.indexOf("'", i + 1);
        if (close < 0) return null;
        word += command.slice(i, close + 1);
        i = close + 1;
        continue;
      }
      if (ch === '"') {
        let j = i + 1;
        while (j < n && command[j] !== '"') {
          if (command[j] === "\\") j++;
          else if (command[j] === "`") return null;
          j++;
        }
        if (j >= n) return null;
        word += command.slice(i, j + 1);
        i = j + 1;
        continue;
      }
      if (ch === "$" && (command[i + 1] === "(" || command[i + 1] === "{")) {
        const open = command[i + 1]!;
        const close = open === "(" ? ")" : "}";
        let depth = 0;
        let j = i + 1;
        for (; j < n; j++) {
          if (command[j] === open) depth++;
          else if (command[j] === close && --depth === 0) break;
          else if (command[j] === "'" || command[j] === '"' || command[j] === "`") return null;
        }
        if (j >= n) return null;
        word += command.slice(i, j + 1);
        i = j + 1;
        continue;
      }
      if (OPERATOR.test(ch)) return null;
      word += ch;
      i++;
    }
    words.push({ text: word, start, end: i });
  }
  return words;
}

/** The command name of a word as written: `/bin/mv` -> `mv`; null when quoted or expanded. */
export function commandName(word: ShellWord | undefined): string | null {
  if (!word || /[$'"\\]/.test(word.text)) return null;
  return word.text.slice(word.text.lastIndexOf("/") + 1);
}

/** True when expanding the word twice could give different results (command substitution, globs). */
export function unstable(word: ShellWord): boolean {
  if (word.text.includes("$(")) return true;
  // Unquoted glob characters.
  const unquoted = word.text.replace(/'[^']*'|"(?:\\.|[^"\\])*"/g, "");
  return /[*?[]/.test(unquoted);
}
