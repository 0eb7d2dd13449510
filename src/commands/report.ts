/**
 * `rorlint report [--targets NAME,...] [--from-json DIR] [--out reports] [--date YYYY-MM-DD]`
 *
 * Scans the distribution targets (the corpora of corpora/targets/*.json,
 * built first when missing or stale, and the embedded sample, named
 * "sample"), or reads saved results, and writes the status reports: see
 * src/report/index.ts. A target that cannot be built or read is reported on
 * stderr and skipped; the others still run.
 *
 * Exit status: 0 reports written, 2 usage error or no target could be reported.
 */
import { promises as fsp } from "node:fs";
import { basename, isAbsolute, join, relative, resolve } from "node:path";
import type { Command } from "commander";
import { scanPath } from "../scan.js";
import { packageRoot, VERSION } from "../version.js";
import { buildParameters, cacheDir, ensureCorpus, loadManifests, type Manifest } from "../corpus/build.js";
import { EXIT_CLEAN, EXIT_ERROR, UsageError } from "./exit.js";
import { DATE_PATTERN, entryFromScan, normalizeEntry, plural, TARGET_PATTERN, activeFindings, type EntryFinding, type TargetEntry } from "../report/model.js";
import { planFor } from "../report/plan.js";
import { writeReports } from "../report/index.js";

export interface ReportCliOptions {
  targets?: string;
  fromJson?: string;
  out: string;
  date?: string;
}

export const SAMPLE = "sample";

const SAMPLE_DESCRIPTION = "The embedded sample: a small hand-written root filesystem that shows every rule firing and every trap not firing (corpora/sample.expected.json lists both, with a reason for each).";

/** Today's date (UTC), YYYY-MM-DD. */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export function checkDate(date: string | undefined): string {
  if (date === undefined) return today();
  if (!DATE_PATTERN.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) throw new UsageError(`--date must be YYYY-MM-DD, not "${date}"`);
  return date;
}

function splitList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const names = [...new Set(value.split(",").map((s) => s.trim()).filter(Boolean))];
  if (names.length === 0) throw new UsageError("--targets needs at least one name");
  for (const n of names) if (!TARGET_PATTERN.test(n)) throw new UsageError(`--targets: "${n}" is not a target name`);
  return names;
}

/** A path as shown in reports: relative to the project when inside it, so reports do not depend on the machine. */
function shownPath(abs: string, name: string): string {
  const rel = relative(packageRoot(), abs);
  if (rel && !rel.startsWith("..") && !isAbsolute(rel)) return rel;
  const cacheRel = relative(cacheDir(), abs);
  if (!cacheRel.startsWith("..") && !isAbsolute(cacheRel)) return `$RORLINT_CACHE/${cacheRel}`;
  return `${name}/rootfs`;
}

function buildLine(m: Manifest): string {
  const p = buildParameters(m);
  let s = `debootstrap ${p.debootstrap.join(" ")}`;
  if (m.chrootInstall?.length) s += `, then apt-get install --no-install-recommends ${m.chrootInstall.join(" ")} inside the tree`;
  return s;
}

const say = (line: string) => process.stderr.write(`rorlint report: ${line}\n`);

async function scanTarget(name: string, manifest: Manifest | undefined, date: string): Promise<TargetEntry | null> {
  let root: string;
  if (name === SAMPLE) root = join(packageRoot(), "corpora", "sample");
  else {
    if (!manifest) throw new UsageError(`unknown target "${name}"`);
    try {
      root = await ensureCorpus(name);
    } catch (err) {
      say(`${name}: skipped: the corpus cannot be built (${(err as Error).message.split("\n")[0]})`);
      return null;
    }
  }
  say(`${name}: scanning ${shownPath(root, name)}`);
  const result = await scanPath(root);
  result.target = shownPath(root, name);
  const plan = await planFor(result);
  return entryFromScan(result, {
    target: name,
    title: manifest?.title ?? "rorlint sample (hand-written)",
    date,
    source: manifest
      ? { kind: "corpus", description: manifest.description, build: buildLine(manifest), path: result.target }
      : { kind: "sample", description: SAMPLE_DESCRIPTION, path: result.target },
    plan,
  });
}

interface JsonShape {
  tool?: { name?: string; version?: string };
  targets?: { path: string; kind: string; scripts: number }[];
  findings?: (EntryFinding & { target?: string })[];
  diagnostics?: (TargetEntry["diagnostics"][number] & { target?: string })[];
  parse?: TargetEntry["parse"];
  date?: string;
  target?: string;
  title?: string;
  source?: TargetEntry["source"];
  excerpts?: TargetEntry["excerpts"];
  plan?: TargetEntry["plan"];
}

function slug(path: string): string {
  const parts = path.split("/").filter(Boolean);
  const last = parts[parts.length - 1] === "rootfs" && parts.length > 1 ? parts[parts.length - 2]! : (parts[parts.length - 1] ?? "target");
  return last.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[^A-Za-z0-9]+/, "") || "target";
}

/** Entries from saved JSON: history entries as they are, or `rorlint scan -f json` output (split per target when it holds several). */
export async function entriesFromJson(dir: string, date: string | undefined, manifests: readonly Manifest[]): Promise<TargetEntry[]> {
  let names: string[];
  try {
    names = (await fsp.readdir(dir)).filter((n) => n.endsWith(".json")).sort();
  } catch (err) {
    throw new UsageError(`--from-json ${dir}: ${(err as Error).message.replace(/^[A-Z]+: /, "")}`);
  }
  const entries: TargetEntry[] = [];
  for (const file of names) {
    let json: JsonShape;
    try {
      json = JSON.parse(await fsp.readFile(join(dir, file), "utf8")) as JsonShape;
      if (!json || typeof json !== "object" || !Array.isArray(json.findings)) throw new Error("no findings array: not rorlint JSON output");
    } catch (err) {
      say(`${join(dir, file)}: skipped (${(err as Error).message})`);
      continue;
    }
    const base = basename(file, ".json").replace(/^\d{4}-\d{2}-\d{2}-/, "");
    const targets = json.targets?.length ? json.targets : [{ path: base, kind: "rootfs", scripts: 0 }];
    const several = targets.length > 1;
    for (const t of targets) {
      const name = several ? slug(t.path) : (json.target ?? base);
      if (!TARGET_PATTERN.test(name)) {
        say(`${join(dir, file)}: skipped target "${name}" (not a usable name)`);
        continue;
      }
      const manifest = manifests.find((m) => m.name === name);
      const mine = <X extends { target?: string }>(x: X) => !several || x.target === t.path;
      const strip = <X extends { target?: string }>({ target: _t, ...rest }: X) => rest;
      entries.push(
        normalizeEntry({
          tool: { name: json.tool?.name ?? "rorlint", version: json.tool?.version ?? VERSION },
          targets: [t],
          findings: json.findings.filter(mine).map(strip),
          diagnostics: (json.diagnostics ?? []).filter(mine).map(strip),
          parse: json.parse ?? { files: 0, filesWithErrors: 0, linesInErrors: 0, lines: 0 },
          date: date ?? json.date ?? today(),
          target: name,
          title: json.title ?? manifest?.title ?? name,
          source: json.source ?? (manifest ? { kind: "corpus", description: manifest.description, build: buildLine(manifest) } : { kind: "json", path: t.path }),
          excerpts: several ? {} : (json.excerpts ?? {}),
          plan: json.plan ?? null,
        }),
      );
    }
  }
  return entries;
}

export async function runReport(opts: ReportCliOptions): Promise<number> {
  const date = checkDate(opts.date);
  const wanted = splitList(opts.targets);
  const manifests = await loadManifests();
  let entries: TargetEntry[];
  if (opts.fromJson) {
    const dateOverride = opts.date === undefined ? undefined : date;
    entries = (await entriesFromJson(resolve(opts.fromJson), dateOverride, manifests)).filter((e) => !wanted || wanted.includes(e.target));
    if (wanted) for (const w of wanted) if (!entries.some((e) => e.target === w)) say(`${w}: skipped: no saved results for it in ${opts.fromJson}`);
  } else {
    const known = [...manifests.map((m) => m.name), SAMPLE];
    const names = wanted ?? known;
    const unknown = names.filter((n) => !known.includes(n));
    if (unknown.length) throw new UsageError(`unknown target${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}; known: ${known.join(", ")}`);
    entries = [];
    for (const name of names) {
      const e = await scanTarget(name, manifests.find((m) => m.name === name), date);
      if (e) entries.push(e);
    }
  }
  if (entries.length === 0) {
    say("no target could be reported");
    return EXIT_ERROR;
  }
  const names = entries.map((e) => e.target);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new UsageError(`two results for target "${dup}"`);
  const written = await writeReports(opts.out, entries);
  for (const t of written.histories) {
    if (!names.includes(t.target)) continue;
    const n = activeFindings(t.latest).length;
    const change = t.change ? `${t.change.added} new, ${t.change.fixed} fixed since ${t.change.since}` : "first run";
    process.stdout.write(`${t.target}: ${plural(n, "finding")} (${change}) -> ${join(opts.out, `${t.target}.md`)}\n`);
  }
  process.stdout.write(`status: ${join(opts.out, "status.md")}, site: ${join(opts.out, "site", "index.html")}\n`);
  return EXIT_CLEAN;
}

export function register(program: Command): void {
  program
    .command("report")
    .description("scan the distribution targets (or read saved results) and write the status reports, status.md and the status site")
    .option("--targets <names>", `comma-separated target names (corpora/targets/*.json, and "${SAMPLE}"); default: all`)
    .option("--from-json <dir>", "read saved results (rorlint scan -f json output, or history entries) from DIR instead of scanning")
    .option("--out <dir>", "output directory", "reports")
    .option("--date <YYYY-MM-DD>", "the date of this run (default: today, UTC)")
    .action(async (opts: ReportCliOptions) => {
      process.exitCode = await runReport(opts);
    });
}
