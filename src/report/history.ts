/**
 * `reports/history/<date>-<target>.json`: one saved entry per target and
 * date (a run on the same date replaces that day's entry). The history feeds
 * the trend, the "changed since last run" column, and every page: the site
 * shows the latest entry of every target that has one.
 */
import { promises as fsp } from "node:fs";
import { join } from "node:path";
import { activeFindings, cmp, DATE_PATTERN, normalizeEntry, serializeEntry, type EntryFinding, type TargetEntry } from "./model.js";
import { writeAtomic } from "../output.js";

const FILE = /^(\d{4}-\d{2}-\d{2})-(.+)\.json$/;

export function historyFile(dir: string, entry: Pick<TargetEntry, "date" | "target">): string {
  return join(dir, `${entry.date}-${entry.target}.json`);
}

export async function writeHistory(dir: string, entry: TargetEntry): Promise<string> {
  await fsp.mkdir(dir, { recursive: true });
  const file = historyFile(dir, entry);
  await writeAtomic(file, serializeEntry(entry));
  return file;
}

/** Every entry in the history directory, by target then date. Files that do not parse are named on stderr and skipped. */
export async function readHistory(dir: string): Promise<TargetEntry[]> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const entries: TargetEntry[] = [];
  for (const name of names.sort()) {
    const m = FILE.exec(name);
    if (!m || !DATE_PATTERN.test(m[1]!)) continue;
    try {
      const e = JSON.parse(await fsp.readFile(join(dir, name), "utf8")) as TargetEntry;
      if (!Array.isArray(e.findings) || e.date !== m[1] || e.target !== m[2]) throw new Error("not a history entry for this date and target");
      entries.push(normalizeEntry(e));
    } catch (err) {
      process.stderr.write(`rorlint report: ${join(dir, name)}: skipped (${(err as Error).message})\n`);
    }
  }
  return entries.sort((a, b) => cmp(a.target, b.target) || cmp(a.date, b.date));
}

/** The changes of one entry against the previous one of the same target. */
export interface Change {
  /** Date of the previous entry. */
  since: string;
  added: number;
  fixed: number;
  /** Keys (see findingKey) of new findings. */
  addedKeys: string[];
  /** The findings of the previous run that are gone. */
  fixedFindings: EntryFinding[];
}

/**
 * What identifies a finding across runs: rule, file and message, not the
 * line (an unrelated edit above it moves it, as GitHub's fingerprints allow).
 */
export function findingKey(f: Pick<EntryFinding, "ruleId" | "path" | "message">): string {
  return `${f.ruleId}\0${f.path}\0${f.message}`;
}

/** Multiset difference of two runs' active findings; null without a previous run. */
export function changeOf(current: TargetEntry, previous: TargetEntry | undefined): Change | null {
  if (!previous) return null;
  const before = new Map<string, EntryFinding[]>();
  for (const f of activeFindings(previous)) {
    const k = findingKey(f);
    (before.get(k) ?? before.set(k, []).get(k)!).push(f);
  }
  const addedKeys: string[] = [];
  for (const f of activeFindings(current)) {
    const k = findingKey(f);
    const list = before.get(k);
    if (list?.length) list.shift();
    else addedKeys.push(k);
  }
  const fixedFindings = [...before.values()].flat();
  return { since: previous.date, added: addedKeys.length, fixed: fixedFindings.length, addedKeys, fixedFindings };
}

export interface TargetHistory {
  target: string;
  /** Every entry of the target, oldest first. */
  entries: TargetEntry[];
  latest: TargetEntry;
  change: Change | null;
}

/** Groups entries by target: the latest entry of each, with its change against the one before. */
export function byTarget(entries: readonly TargetEntry[]): TargetHistory[] {
  const map = new Map<string, TargetEntry[]>();
  for (const e of entries) (map.get(e.target) ?? map.set(e.target, []).get(e.target)!).push(e);
  const out: TargetHistory[] = [];
  for (const target of [...map.keys()].sort(cmp)) {
    const list = map.get(target)!.sort((a, b) => cmp(a.date, b.date));
    const latest = list[list.length - 1]!;
    out.push({ target, entries: list, latest, change: changeOf(latest, list[list.length - 2]) });
  }
  return out;
}
