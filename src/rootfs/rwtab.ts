/**
 * Fedora-style /etc/rwtab and /etc/rwtab.d/*: paths that the readonly-root
 * boot step makes writable (on a tmpfs) when the root is mounted read-only.
 *
 *     dirs  /var/lib/foo     copy the directory tree, without file contents
 *     empty /var/cache/foo   an empty directory
 *     files /etc/foo         copy the file (or the tree) with its contents
 */

export interface RwtabLine {
  kind: "dirs" | "empty" | "files";
  path: string;
  file: string;
  line: number;
  column: number;
  endColumn: number;
}

export function parseRwtab(file: string, text: string): RwtabLine[] {
  const out: RwtabLine[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    const m = /^(\s*)(dirs|empty|files)\s+(\/\S*)/.exec(line.replace(/#.*$/, ""));
    if (!m) return;
    out.push({ kind: m[2] as RwtabLine["kind"], path: m[3]!.replace(/(.)\/+$/, "$1"), file, line: i + 1, column: m[1]!.length + 1, endColumn: line.replace(/#.*$/, "").trimEnd().length + 1 });
  });
  return out;
}
