/**
 * Shell-style `KEY=value` settings files (/etc/default/tmpfs,
 * /etc/overlayroot.conf), read without running them: the last plain
 * assignment of a key wins, comments and anything computed are ignored.
 */

export interface Setting {
  key: string;
  /** The value with one level of quotes removed. */
  value: string;
  /** The file (inside the root) and the 1-based line and columns of the assignment. */
  file: string;
  line: number;
  column: number;
  endColumn: number;
}

const ASSIGNMENT = /^(\s*)(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=("[^"$`\\]*"|'[^']*'|[^\s;#"'$`\\]*)\s*(?:[;#].*)?$/;

export function parseSettings(file: string, text: string): Map<string, Setting> {
  const out = new Map<string, Setting>();
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    const m = ASSIGNMENT.exec(line);
    if (!m) return;
    const value = m[3]!.replace(/^(["'])(.*)\1$/, "$2");
    out.set(m[2]!, { key: m[2]!, value, file, line: i + 1, column: m[1]!.length + 1, endColumn: line.trimEnd().length + 1 });
  });
  return out;
}
