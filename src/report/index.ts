/**
 * Writes everything `rorlint report` and `rorlint status` produce, from
 * the entries of this run plus the saved history:
 *
 *   <out>/history/<date>-<target>.json   this run's entries (added or replaced)
 *   <out>/<target>.md                    each target with history, from its latest entry
 *   <out>/status.md                      the "Status of Distributions" section
 *   <out>/site/                          the static status site
 *
 * Every file is written atomically, and only when its bytes change (so an
 * unchanged report leaves the tree untouched). Files of the site that this
 * run no longer produces are removed.
 */
import { promises as fsp } from "node:fs";
import { dirname, join, relative } from "node:path";
import { writeAtomic } from "../output.js";
import { VERSION } from "../version.js";
import { byTarget, readHistory, writeHistory, type TargetHistory } from "./history.js";
import { statusMarkdown, targetMarkdown } from "./markdown.js";
import { buildSite } from "./site.js";
import type { TargetEntry } from "./model.js";

export interface WrittenReports {
  /** Files written or already identical, relative to `out`. */
  files: string[];
  histories: TargetHistory[];
}

async function writeIfChanged(path: string, content: string): Promise<void> {
  try {
    if ((await fsp.readFile(path, "utf8")) === content) return;
  } catch {
    // missing: write it
  }
  await fsp.mkdir(dirname(path), { recursive: true });
  await writeAtomic(path, content);
}

/** Generated kinds of file in the site directory (anything else there is left alone). */
const SITE_FILE = /\.(html|json|svg|css)$/;

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await fsp.readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

export async function writeReports(out: string, entries: readonly TargetEntry[]): Promise<WrittenReports> {
  const historyDir = join(out, "history");
  const files: string[] = [];
  for (const e of entries) files.push(relative(out, await writeHistory(historyDir, e)));
  const histories = byTarget(await readHistory(historyDir));
  for (const t of histories) {
    const path = join(out, `${t.target}.md`);
    await writeIfChanged(path, targetMarkdown(t.latest, t.change));
    files.push(relative(out, path));
  }
  await writeIfChanged(join(out, "status.md"), statusMarkdown(histories.map((t) => t.latest)));
  files.push("status.md");

  const siteDir = join(out, "site");
  const site = buildSite(histories, VERSION);
  for (const [rel, content] of site) {
    await writeIfChanged(join(siteDir, rel), content);
    files.push(join("site", rel));
  }
  for (const p of await listFiles(siteDir)) {
    const rel = relative(siteDir, p).split("\\").join("/");
    if (!site.has(rel) && SITE_FILE.test(rel) && !/^\./.test(rel)) await fsp.rm(p, { force: true });
  }
  return { files: files.sort(), histories };
}
