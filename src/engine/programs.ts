/**
 * The programs of one scan, each modelled, learned from and checked as it
 * comes, then let go: what stays is small (the script's text, its roles, the
 * absolute paths it runs, its rules' reports and the answers they got from
 * the facts). So a scan of a tree with thousands of scripts does not hold
 * thousands of models at once.
 *
 * Facts grow while programs are learned (a boot script that mounts a tmpfs
 * on /tmp makes /tmp writable for every script), so a program checked early
 * may have been told an answer that is no longer true by the end: `finish`
 * checks such a program again, with the final facts. A program gains roles
 * when a runtime script runs it by its path (`widen`): it is modelled and
 * checked again with them. Either way the program comes from a bounded set
 * of the most recent ones kept in memory, or is parsed and modelled again
 * from its text (the same text gives the same model).
 */
import type { Role } from "../types.js";
import { RUNTIME_ROLES } from "../types.js";
import type { FsView } from "../fs/view.js";
import type { Lessons, RootfsFacts } from "../rootfs/facts.js";
import { SyntaxCache } from "../rootfs/scripts.js";
import { ABANDONED, buildModel, entryFunctions, implicitSources, Program, type ScriptCache } from "../shell/program.js";
import type { Parsing } from "../shell/parsing.js";
import type { Script } from "../shell/syntax.js";
import type { ScriptModel } from "../shell/model.js";
import { answersHold, checkProgram, type Answers, type ShellReport } from "./run.js";
import type { Rule } from "./rule.js";
import { collectIfGrown } from "../heap.js";

/** A script as the scan found it. */
export interface ProgramSource {
  /** Path inside the root. */
  path: string;
  /** The text as shell (a cron table's commands masked in place). */
  shellText: string;
  /** Lines of the file. */
  lines: number;
  interpreter: string;
  /** Files sourced before the script (a packaging repository's). */
  implicit: readonly string[];
}

/** What checking a program gave: all that is kept of it (with its source), and all a check worker sends back. */
export interface CheckedResult {
  /** Where the program comes among the scan's programs (their order in the report, and in which the facts learn from them). */
  order: number;
  roles: Set<Role>;
  /** Scripts it runs by absolute path, with the runtime roles it runs them under. */
  calls: Map<string, Set<Role>>;
  reports: ShellReport[];
  answers: Answers;
  /** What the facts learned from it. */
  lessons: Lessons;
}

type Checked = ProgramSource & CheckedResult;

const NO_LESSONS: Lessons = { writes: [], runner: null, created: [], mounts: [] };

/**
 * Characters of script text whose models stay in memory for a second look.
 * A model takes some 80 bytes per character of script (with the libraries'
 * functions it evaluates): about 16 MB. A Debian tree's runtime scripts are
 * about 150,000 characters, within; on real trees a second look is rare
 * (none on the Debian corpora), so beyond it costs little.
 */
const RETAINED_CHARS = 200_000;

export class CheckedPrograms {
  private checked = new Map<string, Checked>();
  /** The order of the next program added without one. */
  private nextOrder = 0;
  /** The models of the most recent programs, oldest first (a Map keeps insertion order); not their unfolded instances. */
  private readonly retained = new Map<string, ScriptModel>();
  private retainedChars = 0;
  /** Programs checked in workers (`adopt`); checked again, and of them those parsed and modelled again. */
  readonly stats = { inWorkers: 0, rechecked: 0, remodelled: 0 };

  constructor(
    private readonly rules: readonly Rule[],
    private readonly facts: RootfsFacts,
    private readonly view: FsView,
    private readonly cache: ScriptCache,
    private readonly parsing: Parsing,
    private readonly retainChars = RETAINED_CHARS,
  ) {}

  roles(path: string): ReadonlySet<Role> | undefined {
    return this.checked.get(path)?.roles;
  }

  /**
   * Parses, models, learns from and checks a script; returns its syntax (for
   * the parse statistics). `order`: where it comes among the scan's
   * programs, when programs are checked out of order (some in workers);
   * by default after every program so far.
   */
  async add(source: ProgramSource, roles: Set<Role>, order = this.nextOrder): Promise<Script> {
    const { program, script } = await this.model(source, roles);
    this.nextOrder = Math.max(this.nextOrder, order + 1);
    const c: Checked = { ...source, order, roles, calls: new Map(), reports: [], answers: new Map(), lessons: NO_LESSONS };
    this.checked.set(source.path, c);
    await this.learnAndCheck(c, program, script);
    collectIfGrown();
    return script;
  }

  /** Gives a checked script more roles (a runtime script runs it): modelled, learned from and checked again. */
  async widen(path: string, roles: Set<Role>): Promise<void> {
    const c = this.checked.get(path)!;
    const before = this.retained.get(path);
    const program = before ? new Program(before, roles, c.interpreter) : (await this.model(c, roles)).program;
    c.roles = roles;
    await this.learnAndCheck(c, program, null);
  }

  /** What checking each program gave (a check worker's answer). */
  results(): (CheckedResult & { path: string })[] {
    return [...this.checked.values()].map(({ path, order, roles, calls, reports, answers, lessons }) => ({ path, order, roles, calls, reports, answers, lessons }));
  }

  /**
   * Takes in programs checked elsewhere (a check worker), with their
   * sources, and puts every program in its order. The facts then learn from
   * every program again, in that order (`RootfsFacts.relearn`): what they
   * say is what one thread checking the programs in order makes them say.
   * `finish` then checks again any program told something they no longer say.
   */
  adopt(results: readonly (CheckedResult & { source: ProgramSource })[]): void {
    for (const r of results) {
      const { source, ...result } = r;
      this.checked.set(source.path, { ...source, ...result });
      this.nextOrder = Math.max(this.nextOrder, r.order + 1);
      this.stats.inWorkers++;
    }
    this.checked = new Map([...this.checked].sort((a, b) => a[1].order - b[1].order));
    this.facts.relearn([...this.checked.values()].map((c) => c.lessons));
  }

  /** Every script that checked programs run by absolute path, with the roles they run it under (in the order programs came). */
  calledPaths(): Map<string, Set<Role>> {
    const out = new Map<string, Set<Role>>();
    for (const c of this.checked.values()) {
      for (const [path, roles] of c.calls) {
        const set = out.get(path) ?? new Set<Role>();
        for (const r of roles) set.add(r);
        out.set(path, set);
      }
    }
    return out;
  }

  /** Checks again every program whose rules were told something the final facts no longer say. */
  async finish(): Promise<void> {
    for (const c of this.checked.values()) {
      if (answersHold(c.answers, this.facts)) continue;
      this.stats.rechecked++;
      const model = this.retained.get(c.path);
      const program = model ? new Program(model, c.roles, c.interpreter) : (await this.model(c, c.roles)).program;
      Object.assign(c, checkProgram(this.rules, program, this.facts));
    }
    this.retained.clear();
  }

  /** The reports of every program, in the order programs came. */
  reports(): ShellReport[][] {
    return [...this.checked.values()].map((c) => c.reports);
  }

  private async model(source: ProgramSource, roles: Set<Role>): Promise<{ program: Program; script: Script }> {
    if (this.checked.has(source.path)) this.stats.remodelled++;
    // Not remembered by the parser: the syntax goes once the program is learned from and checked.
    const script = await this.parsing.parse(source.shellText, false);
    if (script.abandoned) this.view.diagnose(source.path, ABANDONED.code, ABANDONED.message);
    // The libraries it sources by name, ready before it is evaluated (see `ScriptCache.preload`).
    await this.cache.preload(source.shellText);
    const implicit = [...implicitSources(source.path, source.interpreter), ...source.implicit];
    const model = await buildModel(source.path, script, source.lines, this.cache, implicit, entryFunctions(source.interpreter));
    return { program: new Program(model, roles, source.interpreter), script };
  }

  private async learnAndCheck(c: Checked, program: Program, script: Script | null): Promise<void> {
    const syntax = () => new SyntaxCache(this.view, [...(script ? [{ path: c.path, script }] : []), ...this.cache.loaded()]);
    c.lessons = await this.facts.learnFrom(program, syntax);
    c.calls = callsOf(program, this.view);
    Object.assign(c, checkProgram(this.rules, program, this.facts));
    this.retain(c, program.model);
  }

  private retain(c: Checked, model: ScriptModel): void {
    const old = this.retained.get(c.path);
    if (old) {
      this.retained.delete(c.path);
      this.retainedChars -= c.shellText.length;
    }
    this.retained.set(c.path, model);
    this.retainedChars += c.shellText.length;
    for (const [path] of this.retained) {
      if (this.retainedChars <= this.retainChars || path === c.path) break;
      this.retained.delete(path);
      this.retainedChars -= this.checked.get(path)!.shellText.length;
    }
  }
}

/** The scripts a program runs by absolute path at runtime (an instance's roles are among its program's). */
function callsOf(p: Program, view: FsView): Map<string, Set<Role>> {
  const called = new Map<string, Set<Role>>();
  if (!p.isRuntime) return called;
  for (const inst of p.instances) {
    const exe = inst.command.nameWord?.value;
    const roles = inst.roles.filter((x) => RUNTIME_ROLES.has(x));
    if (!exe?.startsWith("/") || roles.length === 0) continue;
    const target = view.resolve(exe);
    if (target.entry?.type !== "file") continue;
    const set = called.get(target.path) ?? new Set<Role>();
    for (const x of roles) set.add(x);
    called.set(target.path, set);
  }
  return called;
}
