/**
 * What the root filesystem's scripts tell about the tree at runtime, for
 * root filesystem rules and the plan:
 *
 * - **runtime writes**: every write, removal and mkdir that a boot,
 *   shutdown, network-hook or periodic script makes, with the path it
 *   names (and that path with links resolved). ROR203 asks who rewrites
 *   `/etc/resolv.conf`; the plan joins shell findings to the path they write.
 * - **boot mounts**: tmpfs mounts that boot scripts make, and whether they
 *   happen when the root is read-only. Debian's initscripts mount a tmpfs
 *   on `/tmp` by themselves in that case: `mount_tmp` in
 *   `/lib/init/mount-functions.sh` runs `domount ... tmpfs ... /tmp` under
 *   `[ yes = "$RAMTMP" ]`, and sets `RAMTMP="yes"` in a branch taken when
 *   `[ rw != "$rootmode" ]`. A mount counts as "when read-only" when every
 *   condition on its way holds in the read-only-root scenario, where a
 *   condition `[ "$V" = L ]` holds if some branch that the read-only root
 *   takes assigns `V=L` (found in the syntax of the files on the call chain).
 * - **links made at boot**: `ln -s` by boot scripts on every boot.
 */
import type { FsView } from "../fs/view.js";
import type { Role } from "../types.js";
import type { Command, Condition, FunctionDef, Word } from "../shell/model.js";
import type { Assign, Stmt, Word as SyntaxWord } from "../shell/syntax.js";
import { classify } from "../shell/guards.js";
import { parseArgs, values } from "../shell/options.js";
import { parseScript, type Program } from "../shell/program.js";
import { effectsOf } from "../shell/effects.js";
import { pathOrDir } from "../engine/scenarios.js";

export interface ScriptLocation {
  /** File inside the root ("/etc/init.d/x"), line and columns of the command (as findings report it). */
  file: string;
  line: number;
  column: number;
  endColumn: number;
}

export interface RuntimeWrite extends ScriptLocation {
  kind: "write" | "remove" | "mkdir";
  /** `>`, `mv`, `ln -s`, `mkdir`... */
  how: string;
  /** The path as the script names it, when fully known. */
  path: string | null;
  /** The path, or the directory its known prefix ends in ("/etc/$X.conf" -> "/etc"). */
  where: string | null;
  /** `where` with links resolved inside the root. */
  resolved: string | null;
  roles: Role[];
}

export interface BootMount extends ScriptLocation {
  /** The mount point with links resolved. */
  path: string;
  type: string;
  /** Every condition on its way holds when the root is read-only (see the module comment). */
  whenReadOnly: boolean;
}

const ROOT_MODE = /^(rootmode|ROOTMODE|root_mode|ROOT_MODE)$/;
const ACTIONS = new Set(["start", "stop", "restart", "force-reload", "reload", "status", ""]);

function locationOf(c: Command): ScriptLocation {
  return { file: c.file, line: c.span.line, column: c.span.column, endColumn: c.span.endLine === c.span.line ? c.span.endColumn : c.span.column };
}

/**
 * The runtime writes of `programs`. `byKey` holds the writes known already
 * (of programs learned before): the same command reached again only adds its
 * roles to them. Returns the writes that are new.
 */
export function runtimeWrites(programs: readonly Program[], resolve: (p: string) => string, byKey = new Map<string, RuntimeWrite>()): RuntimeWrite[] {
  const added: RuntimeWrite[] = [];
  for (const p of programs) {
    if (!p.isRuntime) continue;
    for (const e of p.runtimeEffects()) {
      const eff = e.effect;
      if (eff.kind !== "write" && eff.kind !== "remove" && eff.kind !== "mkdir") continue;
      const loc = locationOf(eff.command);
      const how = eff.kind === "mkdir" ? "mkdir" : eff.how;
      const key = `${loc.file}\0${loc.line}\0${loc.column}\0${eff.kind}\0${how}\0${eff.path.text}`;
      const known = byKey.get(key);
      if (known) {
        // The same command reached from another entry point: one write, every role.
        for (const r of e.roles) if (!known.roles.includes(r)) known.roles.push(r);
        continue;
      }
      const where = pathOrDir(eff.path);
      const w: RuntimeWrite = { ...loc, kind: eff.kind, how, path: eff.path.value, where, resolved: where ? resolve(where) : null, roles: [...e.roles] };
      byKey.set(key, w);
      added.push(w);
    }
  }
  return added;
}

/** Conditions that do not keep a command from running on every boot: the action dispatch, "create if missing". */
export function runsEveryBoot(conditions: readonly Condition[]): boolean {
  return conditions.every((c) => c.test.kind === "match" || classify(c) === "existence");
}

/** Links that boot scripts make on every boot (`ln -s TARGET /var/run`), resolved. */
export function bootLinks(programs: readonly Program[], resolve: (p: string) => string): string[] {
  const out = new Set<string>();
  for (const p of programs) {
    for (const e of p.runtimeEffects()) {
      if (!e.roles.includes("boot") || e.effect.kind !== "write" || !e.effect.how.startsWith("ln") || e.effect.path.value === null) continue;
      if (!runsEveryBoot(e.conditions)) continue;
      out.add(resolve(e.effect.path.value));
    }
  }
  return [...out];
}

// ----- boot mounts -----

/** `mount -t tmpfs SRC /path`, or a wrapper function called with literal `tmpfs` and one absolute path (`domount mount tmpfs shmfs /tmp tmpfs -o...`). */
function tmpfsMountTarget(c: Command, isFunction: (name: string) => boolean): { type: string; target: string } | null {
  if (!c.name) return null;
  if (c.name === "mount") {
    const p = parseArgs(c.args, { short: "otOLUBMRNpTFX", long: ["options", "types", "test-opts", "label", "uuid", "source", "target", "namespace", "fstab", "options-mode", "options-source"] });
    const type = values(p, "t", "types")[0]?.text ?? null;
    if (type === null || !VOLATILE.has(type)) return null;
    if (values(p, "o", "options").some((o) => (o.text ?? o.prefix).split(",").includes("remount"))) return null;
    const target = values(p, "target")[0]?.text ?? (p.operands.length >= 2 ? p.operands[p.operands.length - 1]!.value : null);
    return target && target.startsWith("/") ? { type, target } : null;
  }
  if (!isFunction(c.name)) return null;
  const literal = c.args.map((a) => a.value);
  const type = literal.find((v) => v !== null && VOLATILE.has(v));
  const paths = literal.filter((v): v is string => v !== null && v.startsWith("/"));
  return type && paths.length === 1 ? { type, target: paths[0]! } : null;
}

const VOLATILE = new Set(["tmpfs", "ramfs"]);

/** A word of the syntax tree as a literal, when it is one. */
function literal(w: SyntaxWord): string | null {
  let s = "";
  for (const p of w.parts) {
    if (p.kind !== "lit") return null;
    s += p.text;
  }
  return s;
}

/** A word's value when the root is read-only: literals, and "ro" for the root mode variable. */
function roValue(w: SyntaxWord): string | null {
  const lit = literal(w);
  if (lit !== null) return lit;
  const vars = w.parts.filter((p) => p.kind === "var");
  const others = w.parts.filter((p) => p.kind !== "var" && !(p.kind === "lit" && p.text === ""));
  if (vars.length === 1 && others.length === 0 && vars[0]!.kind === "var" && ROOT_MODE.test(vars[0]!.name) && !vars[0]!.op) return "ro";
  return null;
}

function compare(op: string, l: string | null, r: string | null): boolean | null {
  if (l === null || r === null) return null;
  if (op === "=" || op === "==") return l === r;
  if (op === "!=") return l !== r;
  return null;
}

/** Three-valued: does this condition statement succeed when the root is read-only (only root-mode tests are decided)? */
function roTruth(s: Stmt): boolean | null {
  switch (s.kind) {
    case "command": {
      const name = s.name ? literal(s.name) : null;
      if (name !== "[" && name !== "test") return null;
      let args = s.args;
      if (name === "[" && args.length > 0 && literal(args[args.length - 1]!) === "]") args = args.slice(0, -1);
      let negate = false;
      if (args.length > 0 && literal(args[0]!) === "!") {
        negate = true;
        args = args.slice(1);
      }
      if (args.length !== 3) return null;
      const v = compare(literal(args[1]!) ?? "", roValue(args[0]!), roValue(args[2]!));
      return v === null ? null : negate ? !v : v;
    }
    case "test": {
      const e = s.expr;
      if (e.kind === "compare") return compare(e.op, roValue(e.left), roValue(e.right));
      if (e.kind === "not" && e.expr.kind === "compare") {
        const v = compare(e.expr.op, roValue(e.expr.left), roValue(e.expr.right));
        return v === null ? null : !v;
      }
      return null;
    }
    case "not": {
      const v = roTruth(s.body);
      return v === null ? null : !v;
    }
    case "and": {
      const l = roTruth(s.left);
      const r = roTruth(s.right);
      if (l === false || r === false) return false;
      return l === true && r === true ? true : null;
    }
    case "or": {
      const l = roTruth(s.left);
      const r = roTruth(s.right);
      if (l === true || r === true) return true;
      return l === false && r === false ? false : null;
    }
    case "pipeline":
      return s.stages.length === 1 ? roTruth(s.stages[0]!) : null;
    default:
      return null;
  }
}

/** An and-chain `[ a ] && [ b ]` holds when the read-only root makes one part true and none false. */
function roHolds(s: Stmt): "yes" | "no" | "unknown" {
  const parts: Stmt[] = [];
  const flatten = (x: Stmt): void => {
    if (x.kind === "and") {
      flatten(x.left);
      flatten(x.right);
    } else parts.push(x);
  };
  flatten(s);
  const values = parts.map(roTruth);
  if (values.includes(false)) return "no";
  return values.includes(true) ? "yes" : "unknown";
}

interface Guard {
  cond: Stmt;
  positive: boolean;
}

/** Assignments `V=L` with the guards they sit under. */
function assignments(body: Stmt[], guards: Guard[], out: { assign: Assign; guards: Guard[] }[]): void {
  for (const s of body) walk(s, guards, out);
}

function walk(s: Stmt, guards: Guard[], out: { assign: Assign; guards: Guard[] }[]): void {
  switch (s.kind) {
    case "assign":
      for (const a of s.assigns) out.push({ assign: a, guards });
      return;
    case "if": {
      const before: Guard[] = [];
      for (const c of s.clauses) {
        const cond = c.cond[c.cond.length - 1];
        const here = cond ? [...guards, ...before, { cond, positive: true }] : [...guards, ...before];
        assignments(c.body, here, out);
        if (cond) before.push({ cond, positive: false });
      }
      if (s.orElse) assignments(s.orElse, [...guards, ...before], out);
      return;
    }
    case "and":
      walk(s.left, guards, out);
      walk(s.right, [...guards, { cond: s.left, positive: true }], out);
      return;
    case "or":
      walk(s.left, guards, out);
      walk(s.right, [...guards, { cond: s.left, positive: false }], out);
      return;
    case "case":
      for (const item of s.items) assignments(item.body, guards, out);
      return;
    case "loop":
      assignments(s.body, guards, out);
      return;
    case "block":
    case "function":
      assignments(s.body, guards, out);
      return;
    default:
      return;
  }
}

/** Whether a branch that the read-only root takes assigns `name=value` in one of these scripts. */
function assignedWhenReadOnly(name: string, value: string, scripts: Stmt[][]): boolean {
  for (const body of scripts) {
    const found: { assign: Assign; guards: Guard[] }[] = [];
    assignments(body, [], found);
    for (const { assign, guards } of found) {
      if (assign.name !== name || !assign.value || literal(assign.value) !== value) continue;
      let decided = false;
      let contradicted = false;
      for (const g of guards) {
        const v = g.positive ? roHolds(g.cond) : negate(roHolds(g.cond));
        if (v === "yes") decided = true;
        if (v === "no") contradicted = true;
      }
      if (decided && !contradicted) return true;
    }
  }
  return false;
}

function negate(v: "yes" | "no" | "unknown"): "yes" | "no" | "unknown" {
  // Only a single test can be negated exactly; `!(a && b)` with one part known true stays unknown.
  return v === "no" ? "yes" : "unknown";
}

/** The variable and the value a condition requires (`[ yes = "$RAMTMP" ]` taken: RAMTMP must be "yes"). */
function requiredValue(c: Condition): { name: string; value: string } | null {
  const t = c.test;
  if (t.kind !== "compare") return null;
  const eq = t.op === "=" || t.op === "==";
  if (!((eq && c.when) || (t.op === "!=" && !c.when))) return null;
  const [lit, v] = t.left.value !== null ? [t.left, t.right] : [t.right, t.left];
  if (lit.value === null || v.value !== null || v.vars.length !== 1) return null;
  return { name: v.vars[0]!, value: lit.value };
}

export interface ReadOnlyScenario {
  /** Evaluates a condition with the root read-only (the engine's scenario). */
  holds(c: Condition): boolean | null;
}

/** Syntax trees of the files that scripts reach, parsed again on demand (only the few that a question needs). */
export class SyntaxCache {
  private readonly bodies = new Map<string, Stmt[] | null>();

  /** @param parsed files the scan parsed already (the libraries that scripts source), by real path */
  constructor(
    private readonly view: FsView,
    parsed: Iterable<{ path: string; script: { body: Stmt[] } }> = [],
  ) {
    for (const p of parsed) this.bodies.set(p.path, p.script.body);
  }

  async body(file: string): Promise<Stmt[] | null> {
    if (!this.bodies.has(file)) {
      const r = await this.view.readText(file);
      this.bodies.set(file, r.ok ? (await parseScript(r.text)).body : null);
    }
    return this.bodies.get(file) ?? null;
  }

  /** The body of the function `name` defined at `line` of `file`. */
  async functionBody(file: string, name: string, line: number): Promise<Stmt[] | null> {
    const body = await this.body(file);
    if (!body) return null;
    const find = (stmts: Stmt[]): Stmt[] | null => {
      for (const s of stmts) {
        if (s.kind === "function" && s.name === name && s.span.line === line) return s.body;
        const inner = s.kind === "if" ? [...s.clauses.flatMap((c) => c.body), ...(s.orElse ?? [])] : s.kind === "block" || s.kind === "loop" ? s.body : s.kind === "case" ? s.items.flatMap((i) => i.body) : [];
        const found = inner.length ? find(inner) : null;
        if (found) return found;
      }
      return null;
    };
    return find(body);
  }
}

/** `$OLD`, `"${OLD}"`: a word that is exactly one variable. */
function soleVariable(w: Word): string | null {
  return w.value === null && w.vars.length === 1 && /^"?\$\{?\w+\}?"?$/.test(w.text) ? w.vars[0]! : null;
}

/**
 * Paths that boot scripts create on every boot through helper functions
 * called with literal arguments: Debian's `post_mountall` runs
 * `run_migrate /var/run /run`, whose body sets `OLD=$1` and runs
 * `ln -fs "$RUN" "$OLD"`, so /var/run is made (as a link) after /var is mounted.
 */
export async function bootCreatedThroughCalls(programs: readonly Program[], syntax: SyntaxCache, resolve: (p: string) => string): Promise<string[]> {
  const out = new Set<string>();
  // Per function: which positional parameters it creates (mkdir, ln -s), computed once.
  const created = new Map<FunctionDef, number[]>();
  const createdBy = async (def: FunctionDef): Promise<number[]> => {
    const known = created.get(def);
    if (known) return known;
    const vars: string[] = [];
    for (const c of def.commands) {
      if (c.func !== def.name) continue;
      for (const eff of effectsOf(c)) {
        if (eff.kind !== "mkdir" && !(eff.kind === "write" && eff.how.startsWith("ln"))) continue;
        const v = soleVariable(eff.path);
        if (v) vars.push(v);
      }
    }
    const indexes: number[] = [];
    if (vars.length > 0) {
      const positional = new Map<string, number>();
      const body = await syntax.functionBody(def.file, def.name, def.span.line);
      const found: { assign: Assign; guards: Guard[] }[] = [];
      if (body) assignments(body, [], found);
      for (const { assign } of found) {
        const parts = assign.value?.parts ?? [];
        if (parts.length === 1 && parts[0]!.kind === "var" && /^[1-9]$/.test(parts[0]!.name)) positional.set(assign.name, Number(parts[0]!.name));
      }
      for (const v of vars) {
        const index = /^[1-9]$/.test(v) ? Number(v) : positional.get(v);
        if (index !== undefined && !indexes.includes(index)) indexes.push(index);
      }
    }
    created.set(def, indexes);
    return indexes;
  };
  for (const p of programs) {
    if (!p.isRuntime) continue; // no boot instance (and none unfolded)
    for (const inst of p.instances) {
      const name = inst.command.name;
      const def = name ? p.model.functions.get(name) : undefined;
      if (!def || !inst.roles.includes("boot")) continue;
      const literalArgs = inst.command.args.map((a) => a.value);
      if (!literalArgs.some((v) => v !== null && v.startsWith("/")) || !runsEveryBoot(inst.conditions)) continue;
      for (const index of await createdBy(def)) {
        const arg = literalArgs[index - 1];
        if (arg && arg.startsWith("/")) out.add(resolve(arg));
      }
    }
  }
  return [...out];
}

/**
 * The tmpfs mounts that the boot instances of `programs` make. `known` holds
 * the mounts found already (of programs learned before), by location: the
 * same command reached again can only make its mount count "when read-only"
 * (in place). Returns the mounts that are new.
 */
export async function bootMounts(programs: readonly Program[], syntax: SyntaxCache, resolve: (p: string) => string, scenario: ReadOnlyScenario, known = new Map<string, BootMount>()): Promise<BootMount[]> {
  const out: BootMount[] = [];
  const bodyOf = (file: string) => syntax.body(file);
  const runsMount = new Map<FunctionDef, boolean>();
  const isMountWrapper = (def: FunctionDef | undefined): boolean => {
    if (!def) return false;
    let v = runsMount.get(def);
    if (v === undefined) runsMount.set(def, (v = def.commands.some((c) => c.name === "mount")));
    return v;
  };
  for (const p of programs) {
    if (!p.isRuntime) continue; // no boot instance (and none unfolded)
    for (const inst of p.instances) {
      if (!inst.roles.includes("boot")) continue;
      // A wrapper function counts when its body runs mount(8) (Debian's domount), not when it only reads fstab.
      const m = tmpfsMountTarget(inst.command, (n) => isMountWrapper(p.model.functions.get(n)));
      if (!m) continue;
      const loc = locationOf(inst.command);
      const key = `${loc.file}\0${loc.line}\0${loc.column}`;
      let whenReadOnly = true;
      for (const c of inst.conditions) {
        if (c.test.kind === "match") {
          // The init script's action dispatch (`case "$1" in start)`): roles already say it runs at boot.
          if (c.test.patterns.some((w) => ACTIONS.has(w.value ?? "-"))) continue;
        }
        const k = classify(c);
        if (k === "existence" || k === "success") continue;
        if (scenario.holds(c) === c.when) continue;
        // Not decided by the scenario alone: a variable that a read-only branch sets to the required value.
        const req = requiredValue(c);
        const files = [...new Set([c.file, inst.command.file, ...inst.chain.map((x) => x.file)])];
        const bodies = (await Promise.all(files.map(bodyOf))).filter((b): b is Stmt[] => b !== null);
        if (req && assignedWhenReadOnly(req.name, req.value, bodies)) continue;
        whenReadOnly = false;
        break;
      }
      const before = known.get(key);
      if (before) {
        if (whenReadOnly) before.whenReadOnly = true;
        continue;
      }
      const mount: BootMount = { ...loc, path: resolve(m.target), type: m.type, whenReadOnly };
      known.set(key, mount);
      out.push(mount);
    }
  }
  return out;
}
