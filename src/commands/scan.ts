/**
 * `rorlint scan PATH...`
 *
 * For each path: its configuration (found upward, `--config`, or none with
 * `--no-config`), the scan (with a progress bar on a terminal), the
 * configured rule levels, and fixes. Then, for the whole run: `--fix`
 * (apply, then scan again), the baseline, the report, and the exit code.
 */
import { InvalidArgumentError, Option, type Command } from "commander";
import { basename, resolve } from "node:path";
import { scanPath, type ScanOptions, type ScanResult } from "../scan.js";
import { FORMATTERS } from "../format/index.js";
import { writeAtomic } from "../output.js";
import { ROLES, type Level, type Role } from "../types.js";
import { EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, UsageError } from "./exit.js";
import { configFor, LEVELS, type Config } from "../config/load.js";
import { applyRuleSettings, scanOptionsOf } from "../config/apply.js";
import { attachFixes } from "../fix/index.js";
import { applyFixes, checkFixable } from "../fix/apply.js";
import { baselineOf, compareWithBaseline, pruneBaseline, readBaseline, writeBaseline } from "../suppress/baseline.js";
import { fails, onlyErrors } from "../suppress/gate.js";
import { ScanProgress, type ProgressMode } from "../progress.js";
import { colorEnabled } from "../color.js";
import type { AstCache } from "../shell/cache.js";
import type { ResultCache } from "../result-cache.js";

export interface ScanCliOptions {
  format: string;
  output?: string;
  role?: Role;
  /** `--repo`: the paths are packaging repositories. */
  repo?: boolean;
  category?: string;
  /** `--config FILE`, or false for `--no-config`. */
  config?: string | false;
  /** false for `--no-inline-suppressions`. */
  inlineSuppressions: boolean;
  baseline?: string;
  writeBaseline?: boolean;
  pruneBaseline?: boolean;
  fix?: boolean;
  quiet?: boolean;
  maxWarnings?: number;
  exitZero?: boolean;
  failOn?: Level;
  /** `--progress` (true), `--no-progress` (false). */
  progress?: boolean;
  /** `--cache`: keep parsed syntax in the AST cache (the platform's cache directory, or `--cache-dir`). */
  cache?: boolean;
  cacheDir?: string;
  /** `--color` (true), `--no-color` (false). */
  color?: boolean;
}

export async function emit(text: string, output: string | undefined): Promise<void> {
  if (output) await writeAtomic(output, text);
  else process.stdout.write(text);
}

/**
 * Scans every path; a path that cannot be read is reported on stderr and the
 * others still run. `options` may differ per path (its configuration).
 */
export async function scanAll(paths: string[], options: ScanOptions | ((path: string) => ScanOptions), progress?: ScanProgress): Promise<{ results: ScanResult[]; failed: number }> {
  const results: ScanResult[] = [];
  let failed = 0;
  for (const p of paths) {
    try {
      const base = typeof options === "function" ? options(p) : options;
      const onProgress = progress?.track(basename(resolve(p)));
      results.push(await scanPath(p, { ...base, ...(onProgress ? { onProgress } : {}) }));
    } catch (err) {
      failed++;
      progress?.stop();
      process.stderr.write(`rorlint: ${p}: ${(err as Error).message}\n`);
    } finally {
      progress?.stop();
    }
  }
  return { results, failed };
}

function count(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError("expected a whole number of 0 or more");
  return Number(value);
}

const plural = (n: number, word: string, words = `${word}s`) => `${n} ${n === 1 ? word : words}`;

/** Config settings on results: levels and off rules, then fixes for what is left. */
function finish(results: ScanResult[], configs: Map<string, Config>): void {
  for (const r of results) {
    applyRuleSettings(r, configs.get(r.target)!);
    attachFixes(r);
  }
}

async function runScan(paths: string[], opts: ScanCliOptions): Promise<number> {
  if ((opts.writeBaseline || opts.pruneBaseline) && !opts.baseline) throw new UsageError("--write-baseline and --prune-baseline need --baseline FILE");
  if (opts.writeBaseline && opts.pruneBaseline) throw new UsageError("use either --write-baseline or --prune-baseline");
  // Configuration problems are usage errors (exit 2), reported before anything is scanned.
  const configs = new Map<string, Config>();
  for (const p of paths) configs.set(p, configFor(p, { ...(opts.config ? { config: opts.config } : {}), useConfig: opts.config !== false }));
  const first = configs.get(paths[0]!)!;

  const mode: ProgressMode = opts.quiet || opts.progress === false ? "never" : opts.progress ? "always" : "auto";
  const progress = new ScanProgress(process.stderr, mode);
  const caches = await cachesFor(opts);
  const optionsFor = (p: string): ScanOptions => ({
    ...(caches ? { astCache: caches.ast, resultCache: caches.results, cacheKey: cacheKeyOf(configs.get(p)!) } : {}),
    ...(opts.role ? { role: opts.role } : {}),
    ...(opts.repo ? { repo: true } : {}),
    inlineSuppressions: opts.inlineSuppressions !== false,
    ...scanOptionsOf(configs.get(p)!),
  });
  let { results, failed } = await scanAll(paths, optionsFor, progress);
  caches?.prune();
  if (results.length === 0) return EXIT_ERROR;
  finish(results, configs);

  if (opts.fix) {
    for (const r of results) await checkFixable(r.target, r.kind);
    let fixed = 0;
    const files = new Set<string>();
    for (const r of results) {
      const report = await applyFixes(r);
      fixed += report.fixed;
      for (const f of report.files) files.add(`${r.target}\0${f}`);
      for (const s of report.skipped) process.stderr.write(`rorlint: --fix: ${r.target}: ${s.path}: not fixed: ${s.reason}\n`);
    }
    if (!opts.quiet) process.stderr.write(`rorlint: fixed ${plural(fixed, "problem")} in ${plural(files.size, "file")}\n`);
    if (fixed > 0) {
      // Report what is left.
      ({ results, failed } = await scanAll(results.map((r) => r.target), optionsFor, progress));
      if (results.length === 0) return EXIT_ERROR;
      finish(results, configs);
    }
  }

  if (opts.baseline) {
    let baseline;
    if (opts.writeBaseline) {
      baseline = baselineOf(results);
      await writeBaseline(opts.baseline, baseline);
      const total = Object.values(baseline).flatMap((byRule) => Object.values(byRule)).reduce((n, e) => n + e.count, 0);
      if (!opts.quiet) process.stderr.write(`rorlint: wrote ${opts.baseline} (${plural(total, "finding")})\n`);
    } else {
      baseline = readBaseline(opts.baseline);
      if (opts.pruneBaseline) {
        const pruned = pruneBaseline(baseline, results);
        baseline = pruned.baseline;
        await writeBaseline(opts.baseline, baseline);
        if (!opts.quiet) process.stderr.write(`rorlint: pruned ${plural(pruned.removed, "entry", "entries")} from ${opts.baseline}\n`);
      }
    }
    const cmp = compareWithBaseline(results, baseline);
    if (cmp.stale > 0 && !opts.quiet) {
      process.stderr.write(`rorlint: ${cmp.stale === 1 ? "1 baseline entry no longer matches" : `${cmp.stale} baseline entries no longer match`} any finding; --prune-baseline drops them\n`);
    }
  }

  // --quiet: errors only, in every format, and only errors fail the run (--max-warnings still counts warnings).
  const failOn: Level = opts.quiet ? "error" : (opts.failOn ?? first.failOn ?? "note");
  const maxWarnings = opts.maxWarnings ?? first.maxWarnings;
  const shown = opts.quiet ? onlyErrors(results) : results;
  const color = colorEnabled(!opts.output && process.stdout.isTTY === true, opts.color);
  await emit(FORMATTERS[opts.format]!(shown, { category: opts.category, color, quiet: opts.quiet === true }), opts.output);
  if (failed > 0) return EXIT_ERROR;
  if (opts.exitZero) return EXIT_CLEAN;
  return fails(results, { failOn, ...(maxWarnings !== undefined ? { maxWarnings } : {}) }) ? EXIT_FINDINGS : EXIT_CLEAN;
}

/** The caches that `--cache` / `--cache-dir` ask for (ASTs and scan results, in one directory), or null. */
export async function cachesFor(opts: { cache?: boolean; cacheDir?: string }): Promise<{ ast: AstCache; results: ResultCache; prune(): void } | null> {
  if (!opts.cache && opts.cacheDir === undefined) return null;
  const { AstCache, defaultCacheDir, pruneCache } = await import("../shell/cache.js");
  const { ResultCache } = await import("../result-cache.js");
  const dir = resolve(opts.cacheDir ?? (await defaultCacheDir()));
  const ast = new AstCache(dir);
  const results = new ResultCache(dir);
  return { ast, results, prune: () => (ast.stats.writes + results.stats.writes > 0 ? pruneCache(dir) : undefined) };
}

/** What of a configuration goes into a scan (the rest applies to its findings): part of the result cache's key. */
function cacheKeyOf(config: Config): string {
  return JSON.stringify({ include: config.include, exclude: config.exclude, writable: config.writable });
}

export function register(program: Command): void {
  program
    .command("scan")
    .description("scan root filesystems, directories of scripts, or single files")
    .argument("<path...>", "an unpacked root filesystem, a directory of scripts, or a file")
    .addOption(new Option("-f, --format <format>", "output format").choices(Object.keys(FORMATTERS)).default("stylish"))
    .option("-o, --output <file>", "write the report to a file (atomically) instead of stdout")
    .option("--category <category>", "SARIF: the run's category (automationDetails.id), default rorlint/<name of the scanned path>")
    .addOption(new Option("--role <role>", "role of scripts whose location gives none").choices(ROLES as string[]))
    .option("--repo", "scan packaging repositories: debian/, PKGBUILD + .install, .spec scriptlets, APKBUILD, systemd units")
    .option("-c, --config <file>", "use this configuration file instead of looking for one")
    .option("--no-config", "use no configuration file")
    .option("--no-inline-suppressions", "ignore every # rorlint disable-... pragma")
    .option("--baseline <file>", "report only findings that are not in this baseline (see --write-baseline)")
    .option("--write-baseline", "write the run's findings to the --baseline file")
    .option("--prune-baseline", "drop entries of the --baseline file that match nothing any more")
    .option("--fix", "apply the safe fixes to the scanned files (directories and scripts only)")
    .option("-q, --quiet", "report errors only; no progress bar, no input notes")
    .option("--max-warnings <n>", "fail when there are more than n warnings", count)
    .option("--exit-zero", "exit 0 even when findings are reported (a path that cannot be read still exits 2)")
    .addOption(new Option("--fail-on <level>", "the lowest level that fails the run (default: note)").choices([...LEVELS]))
    .option("--progress", "show the progress bar from the start (on a terminal)")
    .option("--no-progress", "never show the progress bar")
    .option("--cache", "keep the parsed syntax of every shell file in rorlint's cache directory, so that a re-scan parses only what changed")
    .option("--cache-dir <dir>", "the cache directory (implies --cache; default: the platform's cache directory, e.g. ~/.cache/rorlint)")
    .option("--color", "colour the output even when it is not a terminal")
    .option("--no-color", "never colour the output")
    .action(async (paths: string[], opts: ScanCliOptions) => {
      process.exitCode = await runScan(paths, opts);
    });
}
