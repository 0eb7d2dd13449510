/**
 * Programs: a script's model together with everything it reaches.
 *
 * - Parses a script, and the files it sources (resolved inside the scanned
 *   root, each parsed once per scan however many scripts source it).
 * - Evaluates the model (see `evaluate.ts`), loading sourced files on demand.
 * - Unfolds calls: every command reachable from the script's entry points,
 *   with the call chain that reaches it and the roles it runs under. A
 *   function's effects appear at its call sites' roles; recursion stops.
 */
import type { Role } from "../types.js";
import { RUNTIME_ROLES } from "../types.js";
import { type FsView, type TextResult } from "../fs/view.js";
import type { Script } from "./syntax.js";
export { parseScript, repair } from "./parse.js";
import { Parsing } from "./parsing.js";
import { Evaluator, type LoadedSource, type SourceLoader } from "./evaluate.js";
import { documentedVariables } from "./config.js";
import { effectsMayChangeWhenBound, effectsOf, type Effect } from "./effects.js";
import type { Command, Condition, FunctionDef, ScriptModel } from "./model.js";
import { globMatch } from "./guards.js";
import { bindCommand, callArguments, type Bindings } from "./bind.js";

/** Parsed files of one scan, shared by every script that sources them. */
export class ScriptCache {
  private readonly parsed = new Map<string, LoadedSource | "missing">();
  private readonly byRealPath = new Map<string, LoadedSource & { text: string; lines: number }>();
  /** Files read ahead by `prefetch`, by the path a script names. */
  private readonly early = new Map<string, TextResult>();
  /** Libraries read and parsed ahead by `preload`, by the path a script names: taken in when evaluation asks for them. */
  private readonly ready = new Map<string, LoadedSource & { text: string; lines: number }>();

  constructor(
    private readonly view: FsView,
    /** How texts are parsed (the scan's: workers, cache, each text once); in this thread by default. */
    readonly parsing: Parsing = new Parsing(),
  ) {}

  /**
   * Loads and parses the files a model asked for: read in order, parsed
   * together (in parallel when the scan uses workers).
   */
  async load(paths: Iterable<string>): Promise<void> {
    const parses: Promise<void>[] = [];
    for (const p of paths) {
      if (this.parsed.has(p) || this.known(p)) continue;
      const r = this.early.get(p) ?? (await this.view.readText(p));
      this.early.delete(p);
      if (!r.ok) {
        this.parsed.set(p, "missing");
        if (r.code !== "missing") this.view.diagnose(r.path, r.code, `sourced file: ${r.reason}`);
        continue;
      }
      const source = sourceOf(r.path, r.text);
      this.take(p, source);
      parses.push(this.parsing.parse(r.text).then((script) => this.parsedAs(source, script)));
    }
    await Promise.all(parses);
  }

  /**
   * Reads and parses, before a script is evaluated, the libraries it sources
   * by a literal absolute path (`. /lib/lsb/init-functions`), and those they
   * source in turn. Evaluation takes each one in when it asks for it, as
   * `load` would have loaded it: without this, a script that sources a
   * library not seen before was evaluated once more for each level of
   * libraries (a third of all evaluations on the Debian 12 tree). Files that
   * cannot be read are left to `load`, which reports them if asked.
   */
  async preload(text: string): Promise<void> {
    const parses: Promise<void>[] = [];
    const texts = [text];
    for (let t = texts.pop(); t !== undefined; t = texts.pop()) {
      for (const m of t.matchAll(LITERAL_SOURCE)) {
        const path = m[1]!;
        if (this.has(path)) continue;
        const r = this.early.get(path) ?? (await this.view.readText(path));
        if (!r.ok) continue;
        this.early.delete(path);
        const source = sourceOf(r.path, r.text);
        this.ready.set(path, source);
        texts.push(r.text);
        parses.push(this.parsing.parse(r.text).then((script) => this.parsedAs(source, script)));
      }
    }
    await Promise.all(parses);
  }

  /** Whether the library at `path` is loaded or preloaded already, under this name or another (by its real path). */
  private has(path: string): boolean {
    return this.parsed.has(path) || this.ready.has(path) || this.byRealPath.has(this.view.resolve(path).path);
  }

  /** A library under the name `path`, taken in: known under another name (the same file is often sourced as /lib/... and /usr/lib/...), or preloaded. */
  private known(path: string): LoadedSource | null {
    const known = this.byRealPath.get(this.view.resolve(path).path);
    if (known) {
      this.parsed.set(path, known);
      return known;
    }
    const ready = this.ready.get(path);
    if (!ready) return null;
    this.ready.delete(path);
    this.take(path, ready);
    return ready;
  }

  private take(path: string, source: LoadedSource & { text: string; lines: number }): void {
    this.parsed.set(path, source);
    this.byRealPath.set(source.path, source);
    if (source.script.abandoned) this.view.diagnose(source.path, ABANDONED.code, `sourced file: ${ABANDONED.message}`);
  }

  private parsedAs(source: LoadedSource, script: Script): void {
    source.script = script;
    // (Reported once the library is taken in: see `take`.)
    if (script.abandoned && this.byRealPath.get(source.path) === source) this.view.diagnose(source.path, ABANDONED.code, `sourced file: ${ABANDONED.message}`);
  }

  /**
   * Reads the libraries a script sources by a literal absolute path
   * (`. /lib/lsb/init-functions`) and starts parsing them, before the
   * script is evaluated: with parse workers, they are then parsed in turn
   * with the scripts instead of after all of them. Only a hint: `load`
   * still decides what is loaded, in its own order.
   */
  prefetch(text: string): void {
    for (const m of text.matchAll(LITERAL_SOURCE)) {
      const path = m[1]!;
      if (this.early.has(path) || this.has(path)) continue;
      // Only from a backend that reads at once (a directory); other backends' files are read when loaded.
      const r = this.view.readNow(path);
      if (!r) continue;
      this.early.set(path, r);
      if (r.ok) this.parsing.prefetch(r.text);
    }
  }

  /** Every sourced file that was found, once each (by real path). */
  loaded(): (LoadedSource & { text: string; lines: number })[] {
    return [...this.byRealPath.values()];
  }

  /** Sourced paths not found in the root. */
  missing(): string[] {
    return [...this.parsed].filter(([, v]) => v === "missing").map(([k]) => k);
  }

  readonly loader: SourceLoader = {
    get: (path) => this.parsed.get(path) ?? this.known(path),
    resolve: (path) => {
      const r = this.view.resolve(path);
      return r.error ? path : r.path;
    },
  };
}

/** `. /abs/path` or `source /abs/path` at the start of a line. */
const LITERAL_SOURCE = /^[ \t]*(?:\.|source)[ \t]+["']?(\/[^\s;|&"'`$()<>]+)/gm;

/** The note on a file whose parse was abandoned (see `parseBudgetMs`). */
export const ABANDONED = { code: "parse-abandoned", message: "took too long to parse as shell (is it shell?): read line by line" };

/** Stands for a library's AST until its parse is done (never seen by evaluation: `load` and `preload` wait for every parse). */
const EMPTY_SCRIPT: Script = { body: [], errorLines: 0, hasErrors: false, unparsedRows: [] };

/** A library read at `path` (its real path), not parsed yet. */
function sourceOf(path: string, text: string): LoadedSource & { text: string; lines: number } {
  return { path, script: EMPTY_SCRIPT, documented: documentedVariables(text), text, lines: text.split("\n").length };
}

/** Files a script's runner sources before running it: OpenRC's service configuration. */
export function implicitSources(path: string, interpreter: string | null): string[] {
  if (!isOpenrc(interpreter)) return [];
  return ["/etc/rc.conf", `/etc/conf.d/${path.slice(path.lastIndexOf("/") + 1)}`];
}

/**
 * Builds the model of a script, loading what it sources until nothing new is
 * asked for. Only the functions its commands can call are evaluated, and
 * `entries`, which its runner calls (see `entryFunctions`).
 */
export async function buildModel(path: string, script: Script, lines: number, cache: ScriptCache, implicit: readonly string[] = [], entries: ReadonlySet<string> = NO_ENTRIES): Promise<ScriptModel> {
  for (let round = 0; ; round++) {
    const wanted = new Set<string>();
    const model = new Evaluator(path, cache.loader, wanted, entries).run(script, lines, implicit);
    if (wanted.size === 0 || round >= 6) return model;
    await cache.load(wanted);
  }
}

export interface Instance {
  command: Command;
  /** Roles under which this command runs (after init-script action dispatch). */
  roles: Role[];
  /** Every condition from the entry point down: call sites' first. */
  conditions: Condition[];
  /** Call sites from the entry point, outermost first. */
  chain: Command[];
  /** Execution position: orders along the chain, for "runs before" questions. */
  position: number[];
}

export interface EffectInstance extends Instance {
  effect: Effect;
}

const ACTION_WORDS = new Set(["start", "stop", "restart", "force-reload", "reload", "status"]);

/** Whether a case arm runs for `action`: one of its patterns matches and no earlier arm's does. */
function armRuns(patterns: string[], previous: string[], action: string): boolean {
  return patterns.some((p) => globMatch(p, action)) && !previous.some((p) => globMatch(p, action));
}

/** Which actions an init script's dispatch lets a command run under: a bit each. */
const START = 1;
const STOP = 2;
const ANY_ACTION = START | STOP;

/** What an action dispatch (`case "$1" in start)`) lets run: ANY_ACTION for any other condition. Computed once per condition. */
const dispatchMemo = new WeakMap<Condition, number>();

function dispatchOf(c: Condition): number {
  if (c.test.kind !== "match") return ANY_ACTION;
  let d = dispatchMemo.get(c);
  if (d !== undefined) return d;
  const patterns = c.test.patterns.map((p) => p.value ?? "");
  const previous = c.test.previous.map((p) => p.value ?? "");
  // Only a case over the script's action ("start", "stop" ...) dispatches.
  d = [...patterns, ...previous].some((w) => ACTION_WORDS.has(w)) ? (armRuns(patterns, previous, "start") ? START : 0) | (armRuns(patterns, previous, "stop") ? STOP : 0) : ANY_ACTION;
  dispatchMemo.set(c, d);
  return d;
}

/** The actions every dispatch among a command's own conditions lets run: once per list (the model's, shared by its instances). */
const dispatchAllMemo = new WeakMap<Condition[], number>();

function dispatchOfAll(conditions: Condition[]): number {
  let all = dispatchAllMemo.get(conditions);
  if (all !== undefined) return all;
  all = ANY_ACTION;
  for (const c of conditions) all &= dispatchOf(c);
  dispatchAllMemo.set(conditions, all);
  return all;
}

/**
 * Init scripts run one `case "$1"` branch per action: `start` at boot,
 * `stop` at shutdown. Narrow a script's boot/shutdown roles to the actions
 * whose branches a command sits in (`actions`, from every condition down
 * the call chain). Once per role list and actions; the result is a shared
 * list (see `internRoles`).
 */
const narrowed = new WeakMap<readonly Role[], Role[][]>();

function dispatchRoles(scriptRoles: readonly Role[], actions: number): Role[] {
  let byActions = narrowed.get(scriptRoles);
  if (!byActions) narrowed.set(scriptRoles, (byActions = []));
  return (byActions[actions] ??= internRoles(narrow(scriptRoles, actions)));
}

function narrow(scriptRoles: readonly Role[], actions: number): Role[] {
  let boot = scriptRoles.includes("boot");
  let shutdown = scriptRoles.includes("shutdown");
  if (!boot && !shutdown) return [...scriptRoles];
  boot &&= (actions & START) !== 0;
  shutdown &&= (actions & STOP) !== 0;
  const out: Role[] = scriptRoles.filter((r) => r !== "boot" && r !== "shutdown");
  if (boot) out.push("boot");
  if (shutdown) out.push("shutdown");
  return out;
}

/** The runtime roles among a shared role list (once per list). */
const runtimeOf = new Map<Role[], Role[]>();

function runtimeRolesOf(roles: Role[]): Role[] {
  let out = runtimeOf.get(roles);
  if (!out) runtimeOf.set(roles, (out = roles.filter((r) => RUNTIME_ROLES.has(r))));
  return out;
}

/** Role lists, one array per combination: instances share them (they are never changed). */
const roleLists = new Map<string, Role[]>();

function internRoles(roles: Role[]): Role[] {
  const key = roles.join(",");
  let shared = roleLists.get(key);
  if (!shared) roleLists.set(key, (shared = roles));
  return shared;
}

/** The empty list that instances at the top level share (frozen: a change would be a bug, and throws). */
const NONE = Object.freeze([]) as unknown as never[];

/** OpenRC calls these functions itself. */
const OPENRC_ENTRIES: Record<string, Role> = {
  start_pre: "boot",
  start: "boot",
  start_post: "boot",
  stop_pre: "shutdown",
  stop: "shutdown",
  stop_post: "shutdown",
};

const NO_ENTRIES: ReadonlySet<string> = new Set();
const OPENRC_ENTRY_NAMES: ReadonlySet<string> = new Set(Object.keys(OPENRC_ENTRIES));

function isOpenrc(interpreter: string | null): boolean {
  return interpreter === "openrc-run" || interpreter === "runscript";
}

/** Functions that a script's runner calls by itself, whatever the script calls: OpenRC's `start`, `stop` ... */
export function entryFunctions(interpreter: string | null): ReadonlySet<string> {
  return isOpenrc(interpreter) ? OPENRC_ENTRY_NAMES : NO_ENTRIES;
}

/**
 * Commands that something looks at though they have no effect of their own:
 * mounts (boot mounts, through wrapper functions too) and tmpfiles.d runs
 * (`src/rootfs/facts.ts`, `scripts.ts`).
 */
const WATCHED_NAMES = new Set(["mount", "systemd-tmpfiles", "tmpfiles"]);

export class Program {
  private unfolded: Instance[] | null = null;
  /** Per function: whether unfolding a call to it can reach anything that rules and facts look at. */
  private readonly reaching = new Map<FunctionDef, boolean>();
  private runtime: EffectInstance[] | null = null;
  private all: EffectInstance[] | null = null;

  constructor(
    readonly model: ScriptModel,
    readonly roles: ReadonlySet<Role>,
    readonly interpreter: string | null,
  ) {}

  /**
   * Every command instance reachable from the entry points. Unfolded when
   * first asked for: most scripts of a tree (dpkg maintainer scripts) have no
   * runtime role, and no rule or fact ever asks for theirs.
   */
  get instances(): Instance[] {
    if (!this.unfolded) {
      this.unfolded = [];
      this.unfold();
    }
    return this.unfolded;
  }

  get path(): string {
    return this.model.path;
  }

  /** Whether ROR1xx rules apply at all. */
  get isRuntime(): boolean {
    return [...this.roles].some((r) => RUNTIME_ROLES.has(r));
  }

  private unfold(): void {
    const top = this.model.commands.filter((c) => c.func === null);
    const roles = [...this.roles];
    for (const c of top) this.visit(c, NONE, NONE, NONE, roles, new Set(), null);
    if (isOpenrc(this.interpreter)) {
      for (const [name, role] of Object.entries(OPENRC_ENTRIES)) {
        const def = this.model.functions.get(name);
        if (!def) continue;
        for (const c of def.commands) if (c.func === name) this.visit(c, [], [], [], [role], new Set([name]), null);
      }
    }
  }

  /**
   * Records a command instance and follows it into the function it calls.
   * `args` are the positional parameters bound at the enclosing call.
   */
  private visit(original: Command, conds: Condition[], chain: Command[], position: number[], entryRoles: Role[], stack: Set<string>, args: Bindings, joined?: Map<Condition[], Condition[]>, outer = ANY_ACTION): void {
    const c = bindCommand(original, args);
    // Instances share what they can (arrays are never changed once made): a command's own conditions
    // when nothing encloses it, and one joined list per block of a function body. Lists are made with
    // concat, which sizes them exactly (a spread leaves room for more: three times the memory).
    let conditions: Condition[];
    if (c.conditions.length === 0) conditions = conds;
    else if (conds.length === 0) conditions = c.conditions;
    else {
      conditions = joined?.get(c.conditions) ?? conds.concat(c.conditions);
      joined?.set(c.conditions, conditions);
    }
    const pos = position.concat(c.order);
    const actions = outer & dispatchOfAll(c.conditions);
    const roles = dispatchRoles(entryRoles, actions);
    this.unfolded!.push({ command: c, roles, conditions, chain, position: pos });
    const def = c.name ? this.model.functions.get(c.name) : undefined;
    if (!def || stack.has(def.name) || !this.reaches(def)) return;
    stack.add(def.name);
    const inner = callArguments(c, args);
    const innerChain = chain.concat([c]);
    const innerJoined = new Map<Condition[], Condition[]>();
    for (const cmd of def.commands) {
      if (cmd.func !== def.name) continue;
      this.visit(cmd, conditions, innerChain, pos, entryRoles, stack, inner, innerJoined, actions);
    }
    stack.delete(def.name);
  }

  /**
   * Whether a call to `def` can reach a command that rules or facts look
   * at: one with effects (or whose effects binding can change), a watched
   * name, a program run by its path, or a call to a function that can.
   * The body of one that cannot (most logging helpers) is not unfolded: its
   * instances would be looked at by nothing. A function on a cycle being
   * worked out counts as reaching (it may).
   */
  private reaches(def: FunctionDef, working = new Set<FunctionDef>()): boolean {
    const known = this.reaching.get(def);
    if (known !== undefined) return known;
    if (working.has(def)) return true;
    working.add(def);
    let found = false;
    for (let i = 0; i < def.commands.length && !found; i++) {
      const cmd = def.commands[i]!;
      if (cmd.func !== def.name) continue;
      if (effectsOf(cmd).length > 0 || effectsMayChangeWhenBound(cmd) || (cmd.name !== null && WATCHED_NAMES.has(cmd.name)) || cmd.nameWord?.value?.startsWith("/")) found = true;
      else {
        const callee = cmd.name ? this.model.functions.get(cmd.name) : undefined;
        if (callee && this.reaches(callee, working)) found = true;
      }
    }
    working.delete(def);
    // (A "no" never rests on that assumption, and a "yes" that does only unfolds more than needed.)
    this.reaching.set(def, found);
    return found;
  }

  /** Effects of commands that run during normal operation (boot, shutdown, network events, cron): made once, asked for by every rule. */
  runtimeEffects(): readonly EffectInstance[] {
    if (this.runtime) return this.runtime;
    this.runtime = [];
    if (!this.isRuntime) return this.runtime; // no runtime role: no instance has one either
    for (const inst of this.instances) {
      const roles = runtimeRolesOf(inst.roles);
      if (roles.length === 0) continue;
      for (const effect of effectsOf(inst.command)) this.runtime.push({ ...inst, roles, effect });
    }
    return this.runtime;
  }

  /** Effects of every reachable command, whatever its role. */
  allEffects(): readonly EffectInstance[] {
    if (!this.all) this.all = this.instances.flatMap((inst) => effectsOf(inst.command).map((effect) => ({ ...inst, effect })));
    return this.all;
  }
}

/** Lexicographic comparison of execution positions. */
export function before(a: number[], b: number[]): boolean {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i]! !== b[i]!) return a[i]! < b[i]!;
  }
  return a.length < b.length;
}
