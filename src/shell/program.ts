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
import { type FsView, relative } from "../fs/view.js";
import { convertProgram, SLASH_STAND_IN, type Script, type Stmt } from "./syntax.js";
import { withTree } from "./parser.js";
import { Evaluator, type LoadedSource, type SourceLoader } from "./evaluate.js";
import { documentedVariables } from "./config.js";
import { effectsOf, type Effect } from "./effects.js";
import type { Command, Condition, ScriptModel } from "./model.js";
import { globMatch } from "./guards.js";
import { bindCommand, callArguments, type Bindings } from "./bind.js";

/**
 * Length-preserving repairs for gaps in the grammar, so that positions do not
 * move: `for i do` becomes `for i;do`, and the lone "/" of `[ -w / ]` a
 * stand-in character that the syntax layer reads back as "/".
 */
export function repair(text: string): string {
  return text
    .replace(/(\[\[?[ \t]+(?:![ \t]+)?-[a-zA-Z][ \t]+)\/(?=[ \t]+\]\]?)/g, `$1${SLASH_STAND_IN}`)
    .replace(/(\bfor[ \t]+[A-Za-z_][A-Za-z0-9_]*)[ \t]+(do\b)/g, (_m, head: string, kw: string) => {
    const gap = _m.length - head.length - kw.length;
    return head + ";" + " ".repeat(gap - 1) + kw;
  });
}

/** Lines of one file re-parsed one by one after a failed region, at most. */
const MAX_REPARSED_LINES = 2000;

/**
 * Parses a script. Lines left in ERROR regions are parsed again one by one,
 * each at its own row (the other lines blanked), so that commands inside a
 * region the grammar could not read are still seen, at their positions.
 */
export async function parseScript(text: string): Promise<Script> {
  const repaired = repair(text);
  const script = await withTree(repaired, (root) => convertProgram(root));
  if (script.unparsedRows.length === 0) return script;
  const lines = repaired.split("\n");
  const stillUnparsed: number[] = [];
  const recovered: Stmt[] = [];
  const known = new Set(script.body.map((s) => `${s.span.line}:${s.span.column}`));
  for (const row of script.unparsedRows.slice(0, MAX_REPARSED_LINES)) {
    const alone = "\n".repeat(row) + (lines[row] ?? "");
    const part = await withTree(alone, (root) => (root.hasError ? null : convertProgram(root)));
    if (!part || part.body.length === 0) {
      stillUnparsed.push(row);
      continue;
    }
    recovered.push(...part.body.filter((s) => !known.has(`${s.span.line}:${s.span.column}`)));
  }
  stillUnparsed.push(...script.unparsedRows.slice(MAX_REPARSED_LINES));
  // Put recovered statements back in source order among the top-level ones.
  const body = [...script.body, ...recovered].sort((a, b) => a.span.line - b.span.line || a.span.column - b.span.column);
  return { ...script, body, errorLines: stillUnparsed.length, unparsedRows: stillUnparsed };
}

/** Parsed files of one scan, shared by every script that sources them. */
export class ScriptCache {
  private readonly parsed = new Map<string, LoadedSource | "missing">();
  private readonly byRealPath = new Map<string, LoadedSource & { text: string; lines: number }>();

  constructor(private readonly view: FsView) {}

  /** Loads and parses the files a model asked for. */
  async load(paths: Iterable<string>): Promise<void> {
    for (const p of paths) {
      if (this.parsed.has(p)) continue;
      // The same library is often sourced under several names (/lib vs /usr/lib): parse it once.
      const known = this.byRealPath.get(this.view.resolve(p).path);
      if (known) {
        this.parsed.set(p, known);
        continue;
      }
      const r = await this.view.readText(p);
      if (!r.ok) {
        this.parsed.set(p, "missing");
        if (r.code !== "missing") this.view.diagnose(r.path, r.code, `sourced file: ${r.reason}`);
        continue;
      }
      const script = await parseScript(r.text);
      const source = { path: r.path, script, documented: documentedVariables(r.text), text: r.text, lines: r.text.split("\n").length };
      this.parsed.set(p, source);
      this.byRealPath.set(r.path, source);
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
    get: (path) => this.parsed.get(path) ?? null,
    resolve: (path) => {
      const r = this.view.resolve(path);
      return r.error ? path : r.path;
    },
  };
}

/** Files a script's runner sources before running it: OpenRC's service configuration. */
export function implicitSources(path: string, interpreter: string | null): string[] {
  if (interpreter !== "openrc-run" && interpreter !== "runscript") return [];
  return ["/etc/rc.conf", `/etc/conf.d/${path.slice(path.lastIndexOf("/") + 1)}`];
}

/** Builds the model of a script, loading what it sources until nothing new is asked for. */
export async function buildModel(path: string, script: Script, lines: number, cache: ScriptCache, implicit: readonly string[] = []): Promise<ScriptModel> {
  for (let round = 0; ; round++) {
    const wanted = new Set<string>();
    const model = new Evaluator(path, cache.loader, wanted).run(script, lines, implicit);
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

/**
 * Init scripts run one `case "$1"` branch per action: `start` at boot,
 * `stop` at shutdown. Narrow a script's boot/shutdown roles to the actions
 * whose branches a command sits in.
 */
function dispatchRoles(scriptRoles: ReadonlySet<Role>, conditions: Condition[]): Role[] {
  let boot = scriptRoles.has("boot");
  let shutdown = scriptRoles.has("shutdown");
  if (!boot && !shutdown) return [...scriptRoles];
  for (const c of conditions) {
    if (c.test.kind !== "match") continue;
    const patterns = c.test.patterns.map((p) => p.value ?? "");
    const previous = c.test.previous.map((p) => p.value ?? "");
    // Only a case over the script's action ("start", "stop" ...) dispatches.
    if (![...patterns, ...previous].some((w) => ACTION_WORDS.has(w))) continue;
    boot &&= armRuns(patterns, previous, "start");
    shutdown &&= armRuns(patterns, previous, "stop");
  }
  const out: Role[] = [...scriptRoles].filter((r) => r !== "boot" && r !== "shutdown");
  if (boot) out.push("boot");
  if (shutdown) out.push("shutdown");
  return out;
}

/** OpenRC calls these functions itself. */
const OPENRC_ENTRIES: Record<string, Role> = {
  start_pre: "boot",
  start: "boot",
  start_post: "boot",
  stop_pre: "shutdown",
  stop: "shutdown",
  stop_post: "shutdown",
};

export class Program {
  readonly instances: Instance[] = [];

  constructor(
    readonly model: ScriptModel,
    readonly roles: ReadonlySet<Role>,
    readonly interpreter: string | null,
  ) {
    this.unfold();
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
    for (const c of top) this.visit(c, [], [], [], [...this.roles], new Set(), null);
    if (this.interpreter === "openrc-run" || this.interpreter === "runscript") {
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
  private visit(original: Command, conds: Condition[], chain: Command[], position: number[], entryRoles: Role[], stack: Set<string>, args: Bindings): void {
    const c = bindCommand(original, args);
    const conditions = c.conditions.length ? [...conds, ...c.conditions] : conds;
    const pos = [...position, c.order];
    const roles = dispatchRoles(new Set(entryRoles), conditions);
    this.instances.push({ command: c, roles, conditions, chain, position: pos });
    const def = c.name ? this.model.functions.get(c.name) : undefined;
    if (!def || stack.has(def.name)) return;
    stack.add(def.name);
    const inner = callArguments(c, args);
    for (const cmd of def.commands) {
      if (cmd.func !== def.name) continue;
      this.visit(cmd, conditions, [...chain, c], pos, entryRoles, stack, inner);
    }
    stack.delete(def.name);
  }

  /** Effects of commands that run during normal operation (boot, shutdown, network events, cron). */
  *runtimeEffects(): Generator<EffectInstance> {
    for (const inst of this.instances) {
      const roles = inst.roles.filter((r) => RUNTIME_ROLES.has(r));
      if (roles.length === 0) continue;
      for (const effect of effectsOf(inst.command)) yield { ...inst, roles, effect };
    }
  }

  /** Effects of every reachable command, whatever its role. */
  *allEffects(): Generator<EffectInstance> {
    for (const inst of this.instances) for (const effect of effectsOf(inst.command)) yield { ...inst, effect };
  }

  describe(c: Command): string {
    return `${relative(c.file)}:${c.span.line}`;
  }
}

/** Lexicographic comparison of execution positions. */
export function before(a: number[], b: number[]): boolean {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i]! !== b[i]!) return a[i]! < b[i]!;
  }
  return a.length < b.length;
}
