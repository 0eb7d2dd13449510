/** tmpfiles.d(5) lines that create paths at boot. */

export interface TmpfilesLine {
  type: string;
  /** The `+` modifier: replace what exists at the path (L+, C+ ...). */
  force: boolean;
  path: string;
  argument: string;
  /** The file the line is in (inside the root) and its 1-based line number. */
  file: string;
  line: number;
}

/** Line types that create the path (directories, files, links, copies). */
/** (Not `e` and `w`: they only adjust or write paths that already exist.) */
const CREATING = /^[dDvqQfFLCpcb]$/;

export function parseTmpfiles(file: string, text: string): TmpfilesLine[] {
  const out: TmpfilesLine[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith("#")) return;
    const fields = line.match(/"[^"]*"|\S+/g) ?? [];
    const type = (fields[0] ?? "").replace(/[!+=\-^~$?]/g, "");
    const force = (fields[0] ?? "").includes("+");
    const path = (fields[1] ?? "").replace(/^"|"$/g, "");
    if (!type || !path.startsWith("/")) return;
    out.push({ type, force, path, argument: fields.slice(6).join(" "), file, line: i + 1 });
  });
  return out;
}

export function createsPath(l: TmpfilesLine): boolean {
  return CREATING.test(l.type[0] ?? "");
}
