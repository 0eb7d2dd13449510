/** /etc/fstab, read from the scanned root. */

export interface FstabEntry {
  spec: string;
  file: string;
  type: string;
  options: string[];
  /** 1-based line in /etc/fstab. */
  line: number;
  column: number;
  endColumn: number;
}

/** Undoes fstab's octal escapes (`\040` for a space). */
function unescapeField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
}

export function parseFstab(text: string): FstabEntry[] {
  const out: FstabEntry[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    const body = line.replace(/#.*$/, "");
    const fields = body.trim().split(/\s+/).filter(Boolean);
    if (fields.length < 2) return;
    const start = line.length - line.trimStart().length;
    out.push({
      spec: unescapeField(fields[0]!),
      file: unescapeField(fields[1]!).replace(/(.)\/+$/, "$1"),
      type: fields[2] ?? "auto",
      options: (fields[3] ?? "defaults").split(","),
      line: i + 1,
      column: start + 1,
      endColumn: body.trimEnd().length + 1,
    });
  });
  return out;
}
