/**
 * A scan, end to end: input -> classify -> parse -> model -> rules -> findings.
 *
 * `scanPath` takes what the user named (an unpacked root filesystem, a
 * directory of scripts, or one file), builds the contained view, finds the
 * scripts and their roles, builds one program per script (libraries they
 * source are parsed once and shared), then runs the rules.
 */
import { promises as fsp } from "node:fs";
import { basename as hostBasename, resolve as hostResolve } from "node:path";
import picomatch from "picomatch";
import type { Diagnostic, Finding, Role } from "./types.js";
import { FsView, normalize, relative, type Entry, type EntryInit } from "./fs/view.js";
import { openDirectory } from "./fs/dir.js";
import { isArchivePath, openArchive } from "./fs/archive.js";
import { interpreterOf, isIgnoredName, rolesOf, runlevelRoles, SCRIPT_GLOBS } from "./input/classify.js";
import { startupEntries } from "./input/startup.js";
import { ScriptCache } from "./shell/program.js";
import { Parsing, type ParsingStats } from "./shell/parsing.js";
import { Turns } from "./turns.js";
import { preloadParser } from "./shell/parser.js";
import { POOL_EARLY_ENTRIES, POOL_MIN_FILES, poolAvailable } from "./shell/pool.js";
import { acquireCheckPool, CHECK_EARLY_ENTRIES, CHECK_MIN_PROGRAMS, checkWorkers, releaseCheckPool } from "./engine/check-pool.js";
import type { CheckAnswer, CheckTask } from "./engine/check-worker.js";
import type { SharedDirectory } from "./fs/dir.js";
import type { AstCache } from "./shell/cache.js";
import type { ResultCache } from "./result-cache.js";
import { RootfsFacts } from "./rootfs/facts.js";
import { compareFindings, mergeFindings } from "./engine/run.js";
import { CheckedPrograms, type ProgramSource } from "./engine/programs.js";
import { suppressInScan } from "./suppress/inline.js";
import { modelledRoles, type Rule } from "./engine/rule.js";
import { RULES } from "../rules/index.js";
import type { RepoTarget } from "./repo/index.js";

export type TargetKind = "rootfs" | "scripts" | "file" | "repo";

export interface ParseStats {
  /** Shell files parsed (scripts and the libraries they source). */
  files: number;
  filesWithErrors: number;
  /** Lines inside ERROR regions that could not be recovered. */
  linesInErrors: number;
  lines: number;
}

export interface ScanOptions {
  /** Role for scripts whose location gives none (loose files). */
  role?: Role;
  rules?: readonly Rule[];
  /** Which files to scan and report, by path relative to the root (config include/exclude). Default: all. */
  filter?: (path: string) => boolean;
  /** Extra paths writable at runtime that the product provides (config `writable`), e.g. "/etc/ssh". */
  writable?: readonly string[];
  /** Apply `# rorlint disable-...` pragmas (default true; `--no-inline-suppressions` sets false). */
  inlineSuppressions?: boolean;
  /** Called as candidate files are examined: `done` of `total` (for a progress bar). */
  onProgress?: (done: number, total: number) => void;
  /** Scan a packaging repository (debian/, PKGBUILD, .spec, APKBUILD, systemd units): see src/repo/index.ts. */
  repo?: boolean;
  /**
   * Worker threads: true always, false never; by default when the scan has
   * enough work for them. A directory's programs are shared out to check
   * workers (`src/engine/check-pool.ts`: by default from CHECK_MIN_PROGRAMS
   * programs on); other targets' texts are parsed in the parse pool (by
   * default from POOL_MIN_FILES candidate files on, `src/shell/pool.ts`).
   */
  workers?: boolean;
  /** The AST cache (`--cache`): parsed texts are read from it and stored in it. */
  astCache?: AstCache;
  /**
   * The scan-result cache (`rorlint scan --cache`), used with `cacheKey`:
   * everything the caller passes besides the target (configuration, role),
   * as text. Directory targets only; never with `rules` or `repo`. A result
   * from it has no root filesystem facts (`RootfsFacts.none()`): `rorlint
   * plan`, which needs them, does not use it.
   */
  resultCache?: ResultCache;
  cacheKey?: string;
  /**
   * Characters of script text whose programs the scan keeps in memory in
   * case they must be checked again (see `src/engine/programs.ts`); beyond
   * that, such a program is parsed and modelled again. 0 keeps none.
   */
  retainedChars?: number;
  /** Internal: the virtual root of a packaging repository being scanned (set by scanPath itself). */
  repoRoot?: RepoTarget;
}

export interface ScanResult {
  /** The path as the user gave it. */
  target: string;
  kind: TargetKind;
  findings: Finding[];
  diagnostics: Diagnostic[];
  parse: ParseStats;
  /** Scripts found, by role. */
  scripts: { path: string; roles: Role[]; interpreter: string; kind?: string; line?: number }[];
  /** Text of every file a finding points at, for code frames. */
  sources: Map<string, string>;
  /** Text of every file read as shell (scripts, what they source, cron tables), by path relative to the root: for fixes. */
  texts?: Map<string, string>;
  /** The root filesystem facts the rules saw (writable model, runtime writes): for `rorlint plan`. */
  facts: RootfsFacts;
  /** How the texts were parsed (in this thread, in workers, from the cache, shared): not part of the report. */
  parsing?: ParsingStats;
  /** Programs checked in worker threads; checked again once the facts were complete, and of them those parsed and modelled again: not part of the report. */
  checking?: { inWorkers: number; rechecked: number; remodelled: number };
  /** The whole result came from the scan-result cache. */
  cached?: boolean;
}

/** Host paths of loose files are mapped to where they would sit in a root ("…/etc/init.d/x" -> "/etc/init.d/x"). */
function virtualPath(hostPath: string): string {
  const m = /\/((?:etc|sbin|usr|var\/lib\/dpkg\/info|lib)\/.*)$/.exec(hostPath);
  return m ? `/${m[1]}` : `/${hostBasename(hostPath)}`;
}

/**
 * A whole root filesystem, as opposed to one package's files (a .deb, or
 * what it unpacks to): /etc, a /usr, /bin or /sbin, and something only a
 * system has (os-release, passwd, a shell). Root filesystem rules, which
 * also report what is missing, run only on whole trees.
 */
function isRootFilesystem(view: FsView): boolean {
  const isDir = (p: string) => view.resolve(p).entry?.type === "dir";
  const exists = (p: string) => view.resolve(p).entry !== undefined;
  if (!isDir("/etc") || !(isDir("/usr") || isDir("/bin") || isDir("/sbin"))) return false;
  return ["/etc/os-release", "/usr/lib/os-release", "/etc/passwd", "/bin/sh", "/usr/bin/sh"].some(exists);
}

/** A result from the scan-result cache: no root filesystem facts (see `ScanOptions.resultCache`). */
function cachedResult(stored: Omit<ScanResult, "facts">): ScanResult {
  return { ...stored, facts: RootfsFacts.none(), parsing: { inThread: 0, inWorkers: 0, cached: 0, shared: 0 }, cached: true };
}

/** `signatures`: a directory's walk takes its directories' signatures (for the scan-result cache). */
async function openTarget(target: string, onLarge?: () => void, largeAt = 0, signatures = false): Promise<{ view: FsView; kind: TargetKind; directory?: boolean }> {
  const abs = hostResolve(target);
  const st = await fsp.stat(abs);
  // A tarball or a .deb is read in place, as the tree it holds.
  if (st.isDirectory() || (st.isFile() && isArchivePath(abs))) {
    const view = st.isDirectory() ? await openDirectory(abs, { ...(onLarge ? { onLarge } : {}), largeAt, signatures }) : await openArchive(abs);
    return { view, kind: isRootFilesystem(view) ? "rootfs" : "scripts", directory: st.isDirectory() };
  }
  if (!st.isFile()) throw new Error(`${target}: not a regular file or directory`);
  const path = virtualPath(abs);
  const entry: EntryInit = { path, type: "file", size: st.size, mode: st.mode & 0o7777 };
  const view = new FsView(abs, [entry], { read: () => fsp.readFile(abs) });
  return { view, kind: "file" };
}

export async function scanPath(target: string, options: ScanOptions = {}): Promise<ScanResult> {
  const rules = options.rules ?? RULES;
  if (options.repo && !options.repoRoot) {
    // A packaging repository: one scan per virtual root (usually one), merged.
    const results: ScanResult[] = [];
    // (Loaded for --repo only.)
    const { mergeRepoResults, openRepo } = await import("./repo/index.js");
    for (const root of await openRepo(target)) results.push(await scanPath(target, { ...options, repoRoot: root }));
    return mergeRepoResults(results);
  }
  const repo = options.repoRoot ?? null;
  const parsing = new Parsing(options.astCache ?? null);
  const checks = new CheckWorkers(options.workers === true);
  try {
    return await scanWith(target, options, rules, repo, parsing, checks);
  } finally {
    // Whatever happened, the scan lets go of the workers.
    await parsing.release();
    await checks.release();
  }
}

/** A scan's hold on the check workers (see `src/engine/check-pool.ts`). */
class CheckWorkers {
  private pool: ReturnType<typeof acquireCheckPool> | null = null;

  constructor(readonly required: boolean) {}

  /** Starts `threads` workers (or takes those started already). */
  hold(threads = checkWorkers(this.required)): ReturnType<typeof acquireCheckPool> {
    return (this.pool ??= acquireCheckPool(this.required, threads));
  }

  /**
   * Shares out programs: the main thread's share is the first, the others go
   * to `threads` workers. Each program goes where the least text is so far.
   */
  share<T extends { text: string }>(programs: readonly T[], threads: number): T[][] {
    const shares: T[][] = Array.from({ length: 1 + threads }, () => []);
    const load = shares.map(() => 0);
    for (const p of programs) {
      const i = load.indexOf(Math.min(...load));
      shares[i]!.push(p);
      load[i]! += p.text.length;
    }
    return shares;
  }

  /** Sends each task to a worker; the answers come as they come (a failed task's answer is its error). */
  run(tasks: readonly CheckTask[]): Promise<(CheckAnswer | Error)[]> {
    const pool = this.hold(tasks.length);
    return Promise.all(tasks.map((t) => pool.run(t).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))))));
  }

  async release(): Promise<void> {
    if (!this.pool) return;
    this.pool = null;
    await releaseCheckPool();
  }
}

async function scanWith(target: string, options: ScanOptions, rules: readonly Rule[], repo: RepoTarget | null, parsing: Parsing, checks: CheckWorkers): Promise<ScanResult> {
  const started = Date.now();
  // The result cache: the same index, the same bytes read, the same sizes and modes looked at, the same code and options give the same result.
  const cacheable = options.resultCache !== undefined && options.cacheKey !== undefined && !options.rules && !repo;
  const keyOf = (kind: TargetKind) => JSON.stringify([hostResolve(target), target, kind, options.role ?? null, options.inlineSuppressions !== false, options.cacheKey ?? null]);
  if (cacheable) {
    // A tree that did not change since it was scanned is told by the signatures of its directories and of the files read, without a walk.
    const quick = options.resultCache!.quickLookup([keyOf("rootfs"), keyOf("scripts")], hostResolve(target));
    if (quick) return cachedResult(quick.result);
  }
  // The grammar loads while the tree is walked (unless a stored result may make parsing needless).
  if (!options.resultCache) preloadParser();
  // Check workers take the programs of a directory (a root filesystem, a directory of scripts) when its rules are rorlint's own (a worker has no others).
  // (The hooks that start workers early are called only when the target is a directory.)
  const checkable = (directory?: boolean) => directory === true && options.workers !== false && !repo && rules.every((r) => RULES.includes(r)) && checkWorkers(options.workers === true) > 0;
  // (Early only where the workers would be used for a scan of any size: not on two cores, see FEW_CORES_MIN_PROGRAMS.)
  const startEarly = checkable(true) && checkWorkers(options.workers === true, 0) > 0;
  // A large tree: start the workers while the walk goes on (whether they are used is decided once the programs are known).
  // (Not the parse workers with the AST cache: most texts may come from it.)
  let early: (() => void) | undefined;
  let largeAt = 0;
  if (startEarly) [early, largeAt] = [() => void checks.hold(), options.workers === true ? 0 : CHECK_EARLY_ENTRIES];
  else if (options.workers === undefined && !options.astCache && poolAvailable()) [early, largeAt] = [() => parsing.hold(), POOL_EARLY_ENTRIES];
  const { view, kind, directory } = repo ? { view: repo.view, kind: "repo" as TargetKind, directory: false } : await openTarget(target, early, largeAt, cacheable);
  const toCheckWorkers = checkable(directory);
  if (options.workers === true && !toCheckWorkers) parsing.useWorkers(true);
  const resultCache = cacheable && directory ? options.resultCache! : null;
  const cacheKey = keyOf(kind);
  const index = resultCache ? view.indexDigest() : "";
  if (resultCache) {
    const hit = resultCache.lookup(cacheKey, view, index);
    if (hit) return cachedResult(hit);
  }
  if (options.resultCache) preloadParser();
  const reads = resultCache ? view.recordReads() : [];
  const cache = new ScriptCache(view, parsing);
  const texts = new Map<string, string>();
  const stats: ParseStats = { files: 0, filesWithErrors: 0, linesInErrors: 0, lines: 0 };
  // The tree's facts first: each program is learned from and checked as soon as it is modelled.
  const facts = kind === "rootfs" || repo ? await RootfsFacts.of(view) : RootfsFacts.none();
  for (const d of repo?.createdDirs ?? []) facts.createdAtBoot.add(d);
  for (const w of options.writable ?? []) facts.writableMounts.add(normalize(w));
  facts.startLearning();
  const checked = new CheckedPrograms(rules, facts, view, cache, parsing, options.retainedChars);

  // Classify: candidate scripts by location (a root filesystem) or every file (loose scripts).
  const globs = kind === "rootfs" ? scriptGlobs() : null;
  const isCandidate = globs ? globs.test : () => kind !== "repo";
  const linked = kind === "rootfs" ? runlevelRoles(view) : new Map<string, Set<Role>>();
  const seen = new Set<string>();
  const scripts: ScanResult["scripts"] = [];
  // Startup configuration (inittab, enabled systemd units and timers) names more scripts, with their roles.
  const startup = kind === "rootfs" ? await startupEntries(view) : null;
  for (const [path, roles] of startup?.roles.byPath ?? []) {
    const set = linked.get(path) ?? new Set<Role>();
    for (const role of roles) set.add(role);
    linked.set(path, set);
  }
  // Only scripts that some rule checks, or whose runtime effects are evidence, are parsed and modelled:
  // a maintainer script is listed with its role, and parsed only if a runtime script turns out to run it.
  const modelled = modelledRoles(rules);
  const needsModel = (roles: ReadonlySet<Role>) => [...roles].some((r) => modelled.has(r));
  const unmodelled = new Map<string, ProgramSource>();
  /** Sourced paths that the check workers did not find. */
  const missingElsewhere = new Set<string>();
  /** Parses, models and checks one script, and counts it. */
  const modelProgram = async (source: ProgramSource, roles: Set<Role>, order?: number) => {
    const script = await checked.add(source, roles, order);
    count(stats, script.hasErrors, script.errorLines, source.lines);
  };
  /** Lists one script (`shellText`: the text as shell, equal to `text` but for cron tables). */
  const sourceOf = (path: string, text: string, shellText: string, interpreter: string, implicit: readonly string[] = []): ProgramSource => ({ path, shellText, lines: text.split("\n").length, interpreter, implicit });
  const listProgram = (path: string, text: string, shellText: string, roles: Set<Role>, interpreter: string, implicit: readonly string[] = []): ProgramSource => {
    texts.set(path, text);
    scripts.push({ path: relative(path), roles: [...roles], interpreter });
    return sourceOf(path, text, shellText, interpreter, implicit);
  };
  /** Lists one script, and models it when its roles need it. */
  const addProgram = async (path: string, text: string, shellText: string, roles: Set<Role>, interpreter: string, implicit: readonly string[] = [], order?: number) => {
    const source = listProgram(path, text, shellText, roles, interpreter, implicit);
    if (needsModel(roles)) await modelProgram(source, roles, order);
    else unmodelled.set(path, source);
  };
  const candidates = candidateEntries(view, globs, kind !== "repo", linked);
  // Enough files to keep other cores busy: parse in the worker pool (started now, while this thread reads).
  const shellCount = candidates.length + (repo?.scripts.length ?? 0) + (startup?.cron.length ?? 0);
  if (!toCheckWorkers && options.workers === undefined && shellCount > POOL_MIN_FILES && poolAvailable()) parsing.useWorkers();

  // First every candidate is read and classified, and the parses start (in the workers, all at once);
  // then, in the same order, the notes are made and the scripts modelled, as each parse comes in.
  type Step = { index: number } & ({ note: [string, string, string] } | { path: string; text: string; roles: Set<Role>; interpreter: string });
  const steps: Step[] = [];
  const turns = new Turns();
  for (const [index, e] of candidates.entries()) {
    if (turns.due()) await turns.take();
    const r = view.resolve(e.path);
    if (r.error) {
      steps.push({ index, note: [e.path, "symlink-loop", r.error] });
      continue;
    }
    // Runlevel links lead to init scripts, which are scanned at their own path.
    if (seen.has(r.path) || (e.type === "symlink" && /\/rc[0-6S]\.d\//.test(e.path))) continue;
    seen.add(r.path);
    if (options.filter && !options.filter(relative(r.path))) continue;
    // A script in another language (its #! line says so) is not read past its first bytes.
    const file = await view.readText(e.path, { accept: (line) => interpreterOf(line) !== "" });
    if (!file.ok) {
      if (file.code === "not-wanted") continue; // another language
      // Units and inittab name programs of every kind: a binary there is expected, not worth a note.
      const expected = file.code === "missing" || (file.code === "binary" && !isCandidate(relative(e.path)));
      if (!expected) steps.push({ index, note: [r.path, file.code, file.reason] });
      continue;
    }
    const interpreter = interpreterOf(file.text);
    if (interpreter === "") continue; // another language
    if (interpreter === null && kind !== "rootfs" && !/\.(sh|bash|init)$/.test(r.path) && !/^### BEGIN INIT INFO/m.test(file.text)) continue;
    let roles = rolesOf(r.path, file.text, interpreter, linked.get(r.path));
    if (options.role && roles.has("other")) roles = new Set([options.role]);
    if (needsModel(roles)) {
      parsing.prefetch(file.text);
      // With workers, the libraries it sources by a literal path are parsed in turn with it, not after every script.
      if (parsing.usesWorkers) cache.prefetch(file.text);
    }
    steps.push({ index, path: r.path, text: file.text, roles, interpreter: interpreter ?? "sh" });
  }
  for (const s of repo?.scripts ?? []) if ((!options.filter || options.filter(s.origin)) && needsModel(s.roles)) parsing.prefetch(s.text);
  for (const table of startup?.cron ?? []) if (!options.filter || options.filter(relative(table.path))) parsing.prefetch(table.masked);
  parsing.flush();
  // Enough programs, in a directory: shared out to the check workers, which answer while this thread checks its own share.
  const programSteps = steps.filter((s): s is Extract<Step, { path: string }> => "path" in s && needsModel(s.roles));
  const threads = toCheckWorkers ? checkWorkers(options.workers === true, programSteps.length) : 0;
  const shared = threads > 0 && (options.workers === true || programSteps.length >= CHECK_MIN_PROGRAMS) ? (view.share() as SharedDirectory | undefined) : undefined;
  let elsewhere: Promise<(CheckAnswer | Error)[]> | null = null;
  const sharedOut = new Set<Step>();
  if (shared) {
    const orderOf = new Map(steps.map((s, i) => [s, i] as const));
    const [, ...shares] = checks.share(programSteps, threads);
    const task = (share: typeof programSteps): CheckTask => ({
      view: shared,
      rootfs: kind === "rootfs",
      writable: (options.writable ?? []).map(normalize),
      rules: rules.map((r) => r.id),
      ...(options.astCache ? { astCache: { root: options.astCache.root, maxBytes: options.astCache.maxBytes } } : {}),
      recordReads: resultCache !== null,
      programs: share.map((s) => ({ order: orderOf.get(s)!, source: sourceOf(s.path, s.text, s.text, s.interpreter), roles: [...s.roles] })),
    });
    for (const share of shares) for (const s of share) sharedOut.add(s);
    elsewhere = checks.run(shares.map(task));
  } else await checks.release();
  options.onProgress?.(0, candidates.length);
  const sharedSources = new Map<number, ProgramSource & { roles: Set<Role> }>();
  for (const [i, step] of steps.entries()) {
    options.onProgress?.(step.index + 1, candidates.length);
    // Now and then, let the workers' answers in (and more work out): modelling alone never waits for them.
    if (parsing.usesWorkers && i % 8 === 7) await new Promise((resolve) => setImmediate(resolve));
    if ("note" in step) view.diagnose(...step.note);
    else if (sharedOut.has(step)) sharedSources.set(i, { ...listProgram(step.path, step.text, step.text, step.roles, step.interpreter), roles: step.roles });
    else await addProgram(step.path, step.text, step.text, step.roles, step.interpreter, [], i);
  }
  options.onProgress?.(candidates.length, candidates.length);
  const fromWorkers: NonNullable<CheckAnswer>["libraries"] = [];
  if (elsewhere) {
    const adopted: Parameters<typeof checked.adopt>[0][number][] = [];
    for (const answer of await elsewhere) {
      if (answer instanceof Error) {
        // Its programs are checked here, below: the result is the same, only slower. (A bug, or the build is damaged.)
        process.emitWarning(`a check worker failed (${answer.message}): its programs were checked in the main thread`);
        continue;
      }
      for (const p of answer.programs) {
        const { roles: _roles, ...source } = sharedSources.get(p.order)!;
        adopted.push({ ...p, source });
        count(stats, p.hasErrors, p.errorLines, source.lines);
        sharedSources.delete(p.order);
      }
      fromWorkers.push(...answer.libraries);
      for (const m of answer.missing) missingElsewhere.add(m);
      view.adoptDiagnostics(answer.diagnostics);
      reads.push(...answer.reads);
    }
    await checks.release();
    // A worker that failed: its programs are checked here, in their places.
    for (const [order, { roles, ...source }] of sharedSources) await modelProgram(source, roles, order);
    checked.adopt(adopted);
  }
  // A packaging repository: its packaging files and embedded shell, placed where they are installed (src/repo/).
  for (const s of repo?.scripts ?? []) {
    if (options.filter && !options.filter(s.origin)) continue;
    seen.add(s.path);
    await addProgram(s.path, repo!.textOf(s.path) ?? s.text, s.text, s.roles, s.interpreter, s.implicit);
  }
  // Commands in cron tables run as written there: periodic shell, reported at the table's own lines.
  for (const table of startup?.cron ?? []) {
    if (options.filter && !options.filter(relative(table.path))) continue;
    await addProgram(table.path, table.text, table.masked, new Set<Role>(["periodic"]), "sh");
  }
  // A script that a runtime script runs by its absolute path runs with the caller's roles.
  for (let round = 0; round < 4; round++) {
    let changed = false;
    for (const [path, roles] of checked.calledPaths()) {
      const listed = () => scripts.find((x) => x.path === relative(path))!;
      const idle = unmodelled.get(path);
      if (idle) {
        // A maintainer script (say) that a runtime script runs: modelled now, with both roles.
        const merged = new Set([...listed().roles, ...roles].filter((x) => x !== "other"));
        listed().roles = [...merged];
        unmodelled.delete(path);
        await modelProgram(idle, merged);
        changed = true;
        continue;
      }
      const had = checked.roles(path);
      if (had) {
        const merged = new Set([...had, ...roles].filter((x) => x !== "other"));
        if ([...merged].every((x) => had.has(x))) continue;
        await checked.widen(path, merged);
        listed().roles = [...merged];
        changed = true;
        continue;
      }
      if (seen.has(path) || (options.filter && !options.filter(relative(path)))) continue;
      seen.add(path);
      const file = await view.readText(path, { accept: (line) => !!interpreterOf(line) });
      if (!file.ok) continue;
      const interpreter = interpreterOf(file.text);
      if (!interpreter) continue; // not a shell script (or no #! line to tell)
      await addProgram(path, file.text, file.text, roles, interpreter);
      changed = true;
    }
    if (!changed) break;
  }
  // Facts are complete: programs told something they no longer say are checked again.
  await checked.finish();
  // Everything is parsed: the workers can go (and their memory with them).
  await parsing.release();
  // Every library once, whichever threads parsed it.
  const libraries = new Map<string, { text: string; lines: number; hasErrors: boolean; errorLines: number }>();
  for (const lib of cache.loaded()) libraries.set(lib.path, { text: lib.text, lines: lib.lines, hasErrors: lib.script.hasErrors, errorLines: lib.script.errorLines });
  for (const lib of fromWorkers) if (!libraries.has(lib.path)) libraries.set(lib.path, lib);
  for (const [path, lib] of [...libraries].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    count(stats, lib.hasErrors, lib.errorLines, lib.lines);
    texts.set(path, lib.text);
  }
  // In a repository, files from other packages (/lib/lsb/init-functions) are missing by nature: no note.
  if (!repo) for (const m of [...new Set([...cache.missing(), ...missingElsewhere])].sort()) view.diagnose(m, "source-missing", "sourced file not found in the scanned root");

  let findings = await mergeFindings(rules, checked.reports(), facts, kind === "rootfs" ? view : null);
  if (repo) {
    // Back to repository paths, lines and columns; texts become the original files.
    findings = repo.remap(findings);
    for (const [p, t] of [...texts]) {
      texts.delete(p);
      texts.set(repo.originOf(p), repo.textOf(p) ?? t);
    }
    for (const s of scripts) Object.assign(s, repo.describe("/" + s.path));
  }
  if (options.filter) findings = findings.filter((f) => options.filter!(f.path));
  const sources = new Map<string, string>();
  for (const f of findings) {
    if (sources.has(f.path)) continue;
    let t = texts.get("/" + f.path);
    if (t === undefined && kind === "rootfs") {
      // Root filesystem findings point at config files (etc/fstab, var/lib/dpkg/status): read them the same contained way.
      const file = await view.readText("/" + f.path);
      if (file.ok) t = file.text;
    }
    if (t !== undefined) sources.set(f.path, t);
  }
  const shellTexts = new Map([...texts].map(([p, t]) => [relative(p), t] as const));
  if (options.inlineSuppressions !== false) {
    // Pragmas: in every scanned shell file (unused ones are reported) and in the files of findings.
    const scanned = [...shellTexts].filter(([p]) => !options.filter || options.filter(p));
    const applied = suppressInScan({ findings, texts: new Map([...scanned, ...sources]), rules, known: RULES }, sources);
    findings = applied.findings.sort(compareFindings);
    view.diagnostics.push(...applied.diagnostics);
  }
  // In a stable order, whichever thread made them.
  view.diagnostics.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  const diagnostics = repo ? repo.remapDiagnostics(view.diagnostics) : view.diagnostics;
  const result: ScanResult = { target, kind, findings, diagnostics, parse: stats, scripts, sources, texts: shellTexts, facts, parsing: parsing.stats, checking: checked.stats };
  resultCache?.store(cacheKey, index, reads, result, view.directorySignatures, started);
  return result;
}

interface ScriptGlobs {
  /** Whether a path relative to the root ("etc/init.d/x") is where scripts are. */
  test: (path: string) => boolean;
  /** The directories (relative, with a final "/") that hold every path `test` accepts. */
  prefixes: string[];
}

/**
 * SCRIPT_GLOBS as one test. A glob can only match below its literal
 * directories ("etc/init.d/" of "etc/init.d/*"), so most of a tree (usr/share,
 * usr/lib ...) is ruled out by a prefix before any pattern runs.
 */
function scriptGlobs(): ScriptGlobs {
  // One regular expression for them all: a path that matches none is turned down in one test, not one per glob.
  const all = new RegExp(SCRIPT_GLOBS.map((g) => picomatch.makeRe(g, { dot: true }).source).join("|"));
  const match = (path: string) => all.test(path);
  const prefixes = [...new Set(SCRIPT_GLOBS.map((g) => g.slice(0, g.search(/[*?[\]{}()!+@]|$/)).replace(/[^/]*$/, "")))];
  return { test: (path) => prefixes.some((p) => path.startsWith(p)) && match(path), prefixes };
}

/**
 * The entries that may be scripts, sorted by path: in a root filesystem
 * those where SCRIPT_GLOBS look (only the directories they name are gone
 * through, not the whole tree), every one when `all`, and those the startup
 * configuration names (`linked`) wherever they are. Directories and names
 * that are never scripts are left out.
 */
function candidateEntries(view: FsView, globs: ScriptGlobs | null, all: boolean, linked: ReadonlyMap<string, unknown>): Entry[] {
  const found = new Map<string, Entry>();
  const consider = (e: Entry) => {
    if (e.type !== "dir" && !isIgnoredName(e.path)) found.set(e.path, e);
  };
  if (globs) {
    // The outermost directories only ("etc/" holds "etc/init.d/").
    const tops = globs.prefixes.filter((p) => !globs.prefixes.some((q) => q !== p && p.startsWith(q)));
    for (const top of tops) for (const e of view.entries("/" + top)) if (globs.test(relative(e.path))) consider(e);
  } else if (all) for (const e of view.entries()) consider(e);
  for (const path of linked.keys()) {
    const e = view.lstat(path);
    // By the entry's own path, as it is named (not through a link).
    if (e?.path === path) consider(e);
  }
  return [...found.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
}

function count(stats: ParseStats, hasErrors: boolean, errorLines: number, lines: number): void {
  stats.files++;
  stats.lines += lines;
  if (hasErrors) stats.filesWithErrors++;
  stats.linesInErrors += errorLines;
}
