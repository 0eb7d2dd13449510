/**
 * Evaluation: syntax (AST) -> semantic model.
 *
 * Walks the statements in execution order with an environment of known
 * variable values, so that words become literal strings where they can be
 * known, every command records the conditions it sits under, and sourced
 * files join the model (their assignments and functions as if written in
 * place). Sourced files come from a {@link SourceLoader}; one that is not
 * loaded yet is recorded in `wanted` so the caller can load it and evaluate
 * again (see `program.ts`), which keeps this module synchronous and pure.
 */
import type { Span } from "../types.js";
import type * as A from "./syntax.js";
import type { Command, Condition, FunctionDef, Redirect, ScriptModel, SourceRef, Template, Test, Word } from "./model.js";
import { isConfigPath } from "./config.js";

/** A value in the environment. */
interface Val {
  value: string | null;
  prefix: string;
  resolved: boolean;
  /** Set by a user configuration file. */
  config: boolean;
  /** The value in terms of positional parameters, when that is all it depends on. */
  template?: Template;
}

const UNKNOWN: Val = { value: null, prefix: "", resolved: false, config: false, template: undefined };
/** A variable nothing visible assigns: unknown, but `${X:-default}` gives the default. */
const UNASSIGNED: Val = { ...UNKNOWN };

export interface LoadedSource {
  /** Path of the file inside the root, links resolved. */
  path: string;
  script: A.Script;
  /** Variables a configuration file documents in comments (`#VAR=value`). */
  documented: string[];
}

export interface SourceLoader {
  /** The parsed file at `path` (inside the scanned root); null when not loaded yet; "missing" when absent. */
  get(path: string, fromFile: string): LoadedSource | null | "missing";
  /** Where a path leads inside the scanned root, links followed (`readlink -f`). */
  resolve(path: string): string;
}

/** Command wrappers that run their arguments as a command: name -> options that take a value. */
const WRAPPERS: Record<string, { valued: Set<string>; stopAtNonOption?: boolean }> = {
  command: { valued: new Set() },
  exec: { valued: new Set(["-a"]) },
  env: { valued: new Set(["-u", "--unset", "-C", "--chdir", "-S"]) },
  nice: { valued: new Set(["-n", "--adjustment"]) },
  nohup: { valued: new Set() },
  busybox: { valued: new Set() },
  ionice: { valued: new Set(["-c", "-n", "-p", "-P", "-u", "--class", "--classdata"]) },
  setsid: { valued: new Set() },
  timeout: { valued: new Set(["-k", "-s", "--kill-after", "--signal"]) },
  stdbuf: { valued: new Set(["-i", "-o", "-e"]) },
  eatmydata: { valued: new Set() },
  time: { valued: new Set() },
  builtin: { valued: new Set() },
};

const MAX_SOURCE_DEPTH = 8;

/** The empty variable list that words share. */
const NO_NAMES = Object.freeze([]) as unknown as string[];

/** No bindings: what an environment starts with, shared until it binds a name (most branches bind none). */
const NO_BINDINGS: Map<string, Val> = new Map();

/** A frozen layer of bindings, shared by the environments cloned from it (never changed once frozen). */
interface Layer {
  readonly vars: ReadonlyMap<string, Val>;
  readonly parent: Layer | null;
  readonly depth: number;
}

/** Layers an environment may stack before they are flattened into one (lookups walk the layers). */
const MAX_LAYERS = 8;

/**
 * The variables known at a point of a script.
 *
 * Branches clone the environment, and a library such as
 * /lib/lsb/init-functions defines hundreds of variables, so a clone must not
 * copy them: it freezes the bindings made so far into a shared layer and
 * starts an empty one on top (copy on write). Merging after branches then
 * looks only at the names bound above the layers the branches share.
 */
export class Env {
  constructor(
    /** Bindings made since the last freeze: NO_BINDINGS (shared, never written) until the first. */
    private own: Map<string, Val> = NO_BINDINGS,
    private base: Layer | null = null,
  ) {}

  /** Freezes the bindings made so far into a layer shared with clones; returns the top layer. */
  private freeze(): Layer | null {
    if (this.own.size > 0) {
      this.base = { vars: this.own, parent: this.base, depth: (this.base?.depth ?? 0) + 1 };
      this.own = NO_BINDINGS;
      if (this.base.depth > MAX_LAYERS) this.base = flatten(this.base);
    }
    return this.base;
  }

  clone(): Env {
    return new Env(NO_BINDINGS, this.freeze());
  }

  get(name: string): Val | undefined {
    const v = this.own.get(name);
    if (v !== undefined) return v;
    for (let l = this.base; l; l = l.parent) {
      const x = l.vars.get(name);
      if (x !== undefined) return x;
    }
    return undefined;
  }

  set(name: string, v: Val): void {
    if (this.own === NO_BINDINGS) this.own = new Map();
    this.own.set(name, v);
  }

  /** Takes over the bindings of `other` (which is not used afterwards). */
  adopt(other: Env): void {
    this.own = other.own;
    this.base = other.base;
  }

  /** Names that may be bound differently here and in `other`: those above the layers both share. */
  private namesDifferingFrom(other: Env, into: Set<string>): void {
    // (A few layers at most, MAX_LAYERS: a list does.)
    const shared: Layer[] = [];
    for (let l = other.base; l; l = l.parent) shared.push(l);
    let common: Layer | null = null;
    for (const k of this.own.keys()) into.add(k);
    for (let l = this.base; l; l = l.parent) {
      if (shared.includes(l)) {
        common = l;
        break;
      }
      for (const k of l.vars.keys()) into.add(k);
    }
    for (const k of other.own.keys()) into.add(k);
    for (let l = other.base; l && l !== common; l = l.parent) for (const k of l.vars.keys()) into.add(k);
  }

  /** After branches: a variable keeps its value only where every branch agrees. */
  static merge(base: Env, branches: Env[]): Env {
    const out = base.clone();
    const names = new Set<string>();
    for (const b of branches) b.namesDifferingFrom(base, names);
    for (const name of names) {
      const vals = branches.map((b) => b.get(name) ?? base.get(name));
      const first = vals[0];
      const same = first !== undefined && vals.every((v) => v !== undefined && v.value === first.value && v.value !== null);
      const sameTemplate = first?.template !== undefined && vals.every((v) => v?.template !== undefined && sameTemplates(v.template, first.template!));
      if (same || sameTemplate || vals.every((v) => v === first)) {
        if (first !== base.get(name)) out.set(name, first!);
      } else {
        // Different values: unknown, but keep the beginning they share ("/var/run/" of two pid files).
        const config = vals.some((v) => v?.config);
        const prefixes = vals.map((v) => v?.value ?? v?.prefix ?? "");
        let prefix = prefixes[0] ?? "";
        for (const p of prefixes) while (!p.startsWith(prefix)) prefix = prefix.slice(0, -1);
        out.set(name, { ...UNKNOWN, prefix, config });
      }
    }
    return out;
  }
}

/**
 * The names commands may call, read from the commands recorded so far:
 * literal names, and the literal beginnings of names made of positional
 * parameters (`do_$1` may call any `do_...` once bound at a call site).
 */
class CallNames {
  private readonly names = new Set<string>();
  private readonly prefixes = new Set<string>();
  private seen = 0;

  /** `entries`: functions always reached; null for every function. */
  constructor(private readonly entries: ReadonlySet<string> | null) {}

  reaches(name: string, commands: readonly Command[]): boolean {
    if (!this.entries || this.entries.has(name)) return true;
    for (; this.seen < commands.length; this.seen++) {
      const c = commands[this.seen]!;
      if (c.name !== null) this.names.add(c.name);
      const t = c.nameWord?.template;
      if (t) {
        let prefix = "";
        for (const piece of t) {
          if (typeof piece !== "string") break;
          prefix += piece;
        }
        this.prefixes.add(prefix);
      }
    }
    if (this.names.has(name)) return true;
    for (const p of this.prefixes) if (name.startsWith(p)) return true;
    return false;
  }
}

/** One layer holding every binding of a stack of layers. */
function flatten(top: Layer): Layer {
  const stack: Layer[] = [];
  for (let l: Layer | null = top; l; l = l.parent) stack.push(l);
  const vars = new Map<string, Val>();
  for (let i = stack.length - 1; i >= 0; i--) for (const [k, v] of stack[i]!.vars) vars.set(k, v);
  return { vars, parent: null, depth: 1 };
}

function sameTemplates(a: Template, b: Template): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

export class Evaluator {
  private nextId = 1;
  private order = 0;
  private readonly commands: Command[] = [];
  private readonly functions = new Map<string, FunctionDef>();
  private readonly pendingBodies: { def: FunctionDef; body: A.Stmt[]; file: string }[] = [];
  private readonly sources: SourceRef[] = [];
  private readonly configVars = new Map<string, string>();
  /** The first user configuration file the script sources (its unassigned variables are taken to come from there). */
  private sourcesConfig: string | null = null;
  private readonly sourceStack: string[] = [];
  /** Depth of condition positions being evaluated: commands recorded meanwhile are `tested`. */
  private testing = 0;

  constructor(
    private readonly path: string,
    private readonly loader: SourceLoader,
    /** Paths the loader did not have yet: load them and evaluate again. */
    readonly wanted: Set<string>,
    /**
     * Which function bodies to evaluate: "all" (the default), or only those
     * a command can call (by its name, or by a name made of positional
     * parameters, `do_$1`) plus these entry points that the runner calls
     * itself (OpenRC's `start`). A library such as /lib/lsb/init-functions
     * defines dozens of functions of which a script calls a few: the others
     * can run nowhere in it, and are not evaluated for every script.
     */
    private readonly bodies: "all" | ReadonlySet<string> = "all",
  ) {}

  /**
   * @param implicitSources files the script's runner sources before it
   *   (OpenRC reads /etc/rc.conf and /etc/conf.d/<service> for a service script)
   */
  run(script: A.Script, lines: number, implicitSources: readonly string[] = []): ScriptModel {
    const env = new Env();
    this.sourceStack.push(this.path);
    for (const path of implicitSources) {
      const loaded = this.loader.get(path, this.path);
      if (loaded === null) this.wanted.add(path);
      if (loaded === null || loaded === "missing") continue;
      for (const name of loaded.documented) if (!this.configVars.has(name)) this.configVars.set(name, loaded.path);
      this.block(loaded.script.body, env, [], null, loaded.path, false);
    }
    this.block(script.body, env, [], null, this.path, false);
    // Function bodies are evaluated once the top level is done, with its final
    // environment: init scripts usually define functions before the variables
    // those functions use.
    const calls = new CallNames(this.bodies === "all" ? null : this.bodies);
    const done = new Set<number>();
    for (let changed = true; changed; ) {
      changed = false;
      // In order of definition, as often as bodies call functions defined before them.
      for (let i = 0; i < this.pendingBodies.length; i++) {
        const { def, body, file } = this.pendingBodies[i]!;
        if (done.has(i) || !calls.reaches(def.name, this.commands)) continue;
        done.add(i);
        changed = true;
        const local = env.clone();
        const start = this.commands.length;
        this.block(body, local, [], def.name, file, false);
        def.commands = this.commands.slice(start);
      }
    }
    return {
      path: this.path,
      commands: this.commands,
      functions: this.functions,
      sources: this.sources,
      configVars: this.configVars,
      parse: { lines, errorLines: script.errorLines, hasErrors: script.hasErrors },
    };
  }

  // ----- statements -----

  private block(body: A.Stmt[], env: Env, conds: Condition[], func: string | null, file: string, sub: boolean): void {
    let cs = conds;
    for (const s of body) {
      const test = this.stmt(s, env, cs, func, file, sub);
      // After `X || exit`, `X && exit` or `if X; then exit; fi`, the rest of the block runs only in one outcome of X.
      const guard = earlyExit(s, test);
      if (guard) cs = cs.concat(this.cond("exit", guard.test, guard.when, s.span, file));
    }
  }

  private stmt(s: A.Stmt, env: Env, conds: Condition[], func: string | null, file: string, sub: boolean): Test {
    switch (s.kind) {
      case "command":
        return this.command(s, env, conds, func, file, sub);
      case "assign":
        for (const a of s.assigns) this.assign(a, env, file, s.decl);
        return { kind: "unknown", text: "assignment" };
      case "test": {
        const t = this.test(s.expr, env, file);
        this.redirects(s.redirects, env, file, conds, func, sub, s.span);
        return t;
      }
      case "if": {
        const branches: Env[] = [];
        const prior: Condition[] = [];
        for (const clause of s.clauses) {
          const test = this.condList(clause.cond, env, conds.concat(prior), func, file, sub);
          const kind = prior.length === 0 ? "if" : "elif";
          const branchEnv = env.clone();
          this.block(clause.body, branchEnv, conds.concat(prior, this.cond(kind, test, true, clause.span, file)), func, file, sub);
          branches.push(branchEnv);
          prior.push(this.cond("else", test, false, clause.span, file));
        }
        const elseEnv = env.clone();
        if (s.orElse) this.block(s.orElse, elseEnv, conds.concat(prior), func, file, sub);
        branches.push(elseEnv);
        this.replace(env, Env.merge(env, branches));
        // The test of a one-branch `if`, so that `if X; then exit; fi` can guard what follows.
        return s.clauses.length === 1 && !s.orElse ? { kind: "and", left: prior[0]!.test, right: { kind: "unknown", text: "then" } } : { kind: "unknown", text: "if" };
      }
      case "case": {
        const subject = this.word(s.subject, env, file);
        const branches: Env[] = [];
        const previous: Word[] = [];
        for (const item of s.items) {
          const patterns = item.patterns.map((p) => this.word(p, env, file));
          const branchEnv = env.clone();
          const c = this.cond("case", { kind: "match", subject, patterns, previous: previous.slice() }, true, item.span, file);
          previous.push(...patterns);
          this.block(item.body, branchEnv, conds.concat(c), func, file, sub);
          branches.push(branchEnv);
        }
        branches.push(env.clone());
        this.replace(env, Env.merge(env, branches));
        return { kind: "unknown", text: "case" };
      }
      case "loop": {
        const loopEnv = env.clone();
        let test: Test = { kind: "unknown", text: s.loop };
        if (s.cond.length > 0) {
          test = this.condList(s.cond, loopEnv, conds, func, file, sub);
          if (s.loop === "until") test = { kind: "not", expr: test };
        }
        if (s.variable) {
          const items = (s.items ?? []).map((w) => this.word(w, env, file));
          const single = items.length === 1 ? items[0]! : undefined;
          loopEnv.set(s.variable, single ? this.valOf(single) : UNKNOWN);
        }
        this.block(s.body, loopEnv, conds.concat(this.cond("loop", test, true, s.span, file)), func, file, sub);
        this.replace(env, Env.merge(env, [env.clone(), loopEnv]));
        return { kind: "unknown", text: "loop" };
      }
      case "and":
      case "or": {
        const before = env.clone();
        this.testing++;
        let left: Test;
        try {
          left = this.stmt(s.left, env, conds, func, file, sub);
        } finally {
          this.testing--;
        }
        const rightEnv = env.clone();
        const c = this.cond(s.kind, left, s.kind === "and", s.span, file);
        const right = this.stmt(s.right, rightEnv, conds.concat(c), func, file, sub);
        const merged = Env.merge(env, [env.clone(), rightEnv]);
        if (s.kind === "or" && s.left.kind === "assign") {
          // `x=$(readlink -f f) || x=f`: the fallback is for failure; keep the usual value.
          for (const a of s.left.assigns) {
            const v = env.get(a.name);
            if (v && v !== before.get(a.name)) merged.set(a.name, v);
          }
        }
        this.replace(env, merged);
        return { kind: s.kind, left, right } as Test;
      }
      case "not":
        return { kind: "not", expr: this.stmt(s.body, env, conds, func, file, sub) };
      case "pipeline": {
        let last: Test = { kind: "unknown", text: "pipeline" };
        for (const stage of s.stages) last = this.stmt(stage, env.clone(), conds, func, file, sub);
        return last;
      }
      case "block": {
        const inner = s.subshell ? env.clone() : env;
        this.block(s.body, inner, conds, func, file, sub || s.subshell);
        this.redirects(s.redirects, env, file, conds, func, sub, s.span);
        return { kind: "unknown", text: "block" };
      }
      case "function": {
        const def: FunctionDef = { name: s.name, file, span: s.span, commands: [] };
        this.functions.set(s.name, def);
        this.pendingBodies.push({ def, body: s.body, file });
        return { kind: "unknown", text: "function" };
      }
    }
  }

  /** A condition list (`if a; b; then`): every command runs, the last one decides. */
  private condList(list: A.Stmt[], env: Env, conds: Condition[], func: string | null, file: string, sub: boolean): Test {
    let last: Test = { kind: "unknown", text: "" };
    this.testing++;
    try {
      for (const s of list) last = this.stmt(s, env, conds, func, file, sub);
    } finally {
      this.testing--;
    }
    return last;
  }

  private replace(env: Env, merged: Env): void {
    env.adopt(merged);
  }

  private cond(kind: Condition["kind"], test: Test, when: boolean, span: Span, file: string): Condition {
    return { kind, test, when, span, file };
  }

  private assign(a: A.Assign, env: Env, file: string, decl: string | null): void {
    if (decl === "unset") return;
    const config = isConfigPath(file);
    if (a.value === null) {
      // `local x` / `export x`: `local` starts empty, the others keep the value.
      if (decl === "local" || decl === "typeset" || decl === "declare") env.set(a.name, { value: "", prefix: "", resolved: false, config, template: undefined });
      return;
    }
    const w = this.word(a.value, env, file);
    let v = this.valOf(w);
    if (a.append) {
      const old = env.get(a.name);
      v = old?.value != null && v.value !== null ? { ...v, value: old.value + v.value, prefix: old.value + v.value } : UNKNOWN;
    }
    if (config) {
      v = { ...v, config: true };
      if (!this.configVars.has(a.name)) this.configVars.set(a.name, file);
    }
    env.set(a.name, v);
  }

  private valOf(w: Word): Val {
    return { value: w.value, prefix: w.prefix, resolved: w.resolved, config: w.configVars.length > 0 && w.vars.length === w.configVars.length, template: w.template };
  }

  // ----- commands -----

  private command(s: Extract<A.Stmt, { kind: "command" }>, env: Env, conds: Condition[], func: string | null, file: string, sub: boolean): Test {
    let words = s.args.map((w) => this.word(w, env, file));
    let nameWord = s.name ? this.word(s.name, env, file) : null;
    let name = nameWord ? commandName(nameWord) : null;
    // Strip wrappers: `env FOO=1 nice -n 5 /bin/mount ...` is a mount.
    for (let guard = 0; name && WRAPPERS[name] && guard < 8; guard++) {
      const spec = WRAPPERS[name]!;
      let i = 0;
      if (name === "command" && words.some((w) => w.value === "-v" || w.value === "-V")) return { kind: "command", command: this.record(null, null, [], s, env, conds, func, file, sub) };
      while (i < words.length) {
        const v = words[i]!.value;
        if (v === null) break;
        if (v === "--") {
          i++;
          break;
        }
        if (name === "env" && /^[A-Za-z_][A-Za-z0-9_]*=/.test(v)) {
          i++;
          continue;
        }
        if (name === "timeout" && i === 0 && !v.startsWith("-")) {
          i++; // the duration
          break;
        }
        if (!v.startsWith("-") || v === "-") break;
        i += spec.valued.has(v) ? 2 : 1;
      }
      if (name === "nice" && words[i]?.value && /^-\d+$/.test(words[i]!.value!)) i++;
      const next = words[i];
      if (!next) {
        nameWord = null;
        name = null;
        words = [];
        break;
      }
      nameWord = next;
      name = commandName(next);
      words = words.slice(i + 1);
    }
    const cmd = this.record(name, nameWord, words, s, env, conds, func, file, sub);
    for (const a of s.env) this.word(a.value ?? emptyWord(a.span), env, file);
    if (name === "." || name === "source") this.source(cmd, env, conds, func, file, sub);
    if (name === "test" || name === "[") return testFromArgs(name === "[" && words.at(-1)?.value === "]" ? words.slice(0, -1) : words);
    return { kind: "command", command: cmd };
  }

  private record(
    name: string | null,
    nameWord: Word | null,
    args: Word[],
    s: Extract<A.Stmt, { kind: "command" }>,
    env: Env,
    conds: Condition[],
    func: string | null,
    file: string,
    sub: boolean,
  ): Command {
    const start = nameWord?.span ?? s.span;
    // The command ends after its last redirection (`echo x > f` spans up to f).
    const end = s.redirects.reduce((e, r) => (r.span.endLine > e.endLine || (r.span.endLine === e.endLine && r.span.endColumn > e.endColumn) ? r.span : e), s.span);
    const cmd: Command = {
      id: this.nextId++,
      file,
      name,
      nameWord,
      args,
      redirects: [],
      span: { line: start.line, column: start.column, endLine: end.endLine, endColumn: end.endColumn },
      conditions: conds,
      func,
      order: this.order++,
      substitution: sub,
      tested: this.testing > 0,
    };
    cmd.redirects = this.evalRedirects(s.redirects, env, file);
    this.commands.push(cmd);
    return cmd;
  }

  private evalRedirects(rs: A.Redirect[], env: Env, file: string): Redirect[] {
    return rs.map((r) => ({ op: r.op, fd: r.fd, target: r.target ? this.word(r.target, env, file) : null, span: r.span }));
  }

  /** Redirections on compound statements (`{ ...; } > file`) become a command of their own. */
  private redirects(rs: A.Redirect[], env: Env, file: string, conds: Condition[], func: string | null, sub: boolean, span: Span): void {
    if (rs.length === 0) return;
    const cmd: Command = {
      id: this.nextId++,
      file,
      name: null,
      nameWord: null,
      args: [],
      redirects: this.evalRedirects(rs, env, file),
      span,
      conditions: conds,
      func,
      order: this.order++,
      substitution: sub,
      tested: this.testing > 0,
    };
    this.commands.push(cmd);
  }

  private source(cmd: Command, env: Env, conds: Condition[], func: string | null, file: string, sub: boolean): void {
    const target = cmd.args[0];
    const path = target?.value ?? null;
    const ref: SourceRef = { command: cmd, path, found: false, config: path !== null && isConfigPath(path) };
    this.sources.push(ref);
    if (path === null || !path.startsWith("/")) return;
    if (ref.config) this.sourcesConfig ??= path;
    if (this.sourceStack.length > MAX_SOURCE_DEPTH) return;
    const loaded = this.loader.get(path, file);
    if (loaded === null) {
      this.wanted.add(path);
      return;
    }
    if (loaded === "missing") return;
    ref.found = true;
    if (this.sourceStack.includes(loaded.path)) return;
    for (const name of loaded.documented) if (!this.configVars.has(name)) this.configVars.set(name, loaded.path);
    this.sourceStack.push(loaded.path);
    try {
      this.block(loaded.script.body, env, conds, func, loaded.path, sub);
    } finally {
      this.sourceStack.pop();
    }
  }

  // ----- tests -----

  private test(e: A.TestExpr, env: Env, file: string): Test {
    switch (e.kind) {
      case "compare":
        return { kind: "compare", op: e.op, left: this.word(e.left, env, file), right: this.word(e.right, env, file) };
      case "unary":
        return { kind: "unary", op: e.op, operand: this.word(e.operand, env, file) };
      case "word":
        return { kind: "word", word: this.word(e.word, env, file) };
      case "not":
        return { kind: "not", expr: this.test(e.expr, env, file) };
      case "and":
      case "or":
        return { kind: e.kind, left: this.test(e.left, env, file), right: this.test(e.right, env, file) };
      case "unknown":
        return e;
    }
  }

  // ----- words -----

  word(w: A.Word, env: Env, file: string): Word {
    // Most words are literal text (command names, options, paths): no expansion to track.
    if (w.parts.length === 1 && w.parts[0]!.kind === "lit") {
      const text = w.parts[0]!.text;
      return { text: w.text, span: w.span, value: text, prefix: text, vars: NO_NAMES, configVars: NO_NAMES, resolved: false, file, template: undefined };
    }
    let value: string | null = "";
    let prefix = "";
    let prefixOpen = true;
    let resolved = false;
    const vars: string[] = [];
    const configVars: string[] = [];
    let template: Template | null = [];
    const add = (v: Val) => {
      if (v.resolved) resolved = true;
      if (template) {
        if (v.value !== null) template.push(v.value);
        else if (v.template) template.push(...v.template);
        else template = null;
      }
      if (value !== null && v.value !== null) {
        value += v.value;
        if (prefixOpen) prefix += v.value;
      } else {
        if (prefixOpen) prefix += v.prefix;
        value = null;
        prefixOpen = false;
      }
    };
    for (const p of w.parts) {
      switch (p.kind) {
        case "lit":
          add({ value: p.text, prefix: p.text, resolved: false, config: false, template: undefined });
          break;
        case "var": {
          vars.push(p.name);
          const v = this.lookup(p.name, env);
          if (v.config || this.configVars.has(p.name)) configVars.push(p.name);
          const expanded = this.expand(p, v, env, file);
          add(p.op && v.template ? { ...expanded, template: undefined } : expanded);
          break;
        }
        case "cmdsub":
          add(this.substitution(p, env, file));
          break;
        case "opaque":
          add(UNKNOWN);
          break;
      }
    }
    // Most words expand no variable: they share one empty list (frozen: a change would be a bug, and throws);
    // the others keep a copy of exactly their length (a list grown by push holds room for 17).
    // Every word has the same properties, in the same order (`template` too, undefined for most): one shape for V8.
    const bound = value === null && template && template.some((t) => typeof t !== "string") ? template : undefined;
    return { text: w.text, span: w.span, value, prefix: value ?? prefix, vars: vars.length ? vars.slice() : NO_NAMES, configVars: configVars.length ? configVars.slice() : NO_NAMES, resolved, file, template: bound };
  }

  private lookup(name: string, env: Env): Val {
    const v = env.get(name);
    if (v) return v;
    // Not assigned anywhere we can see: user configuration (unset by default)
    // when a configuration file documents it, otherwise unknown.
    if (this.configVars.has(name)) return { value: "", prefix: "", resolved: false, config: true, template: undefined };
    // A script that sources user configuration and reads a variable nothing assigns reads a setting
    // the administrator may make there (unset by default), e.g. HWCLOCKACCESS after /etc/default/hwclock.
    if (this.sourcesConfig !== null && /^[A-Z][A-Z0-9_]*$/.test(name)) return { value: "", prefix: "", resolved: false, config: true, template: undefined };
    if (/^[1-9]$/.test(name)) return { ...UNKNOWN, template: [{ param: Number(name) }] };
    return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? UNASSIGNED : UNKNOWN;
  }

  private expand(p: Extract<A.WordPart, { kind: "var" }>, v: Val, env: Env, file: string): Val {
    if (!p.op) return v;
    const arg = () => (p.arg ? this.valOf(this.word(p.arg, env, file)) : { ...UNKNOWN, value: "", prefix: "" });
    const colon = p.op.startsWith(":");
    const isEmpty = v.value === "";
    switch (p.op) {
      case ":-":
      case "-":
      case ":=":
      case "=": {
        // A variable nothing assigns (and not a parameter) is unset: the default applies.
        if (v.value === null) {
          if (!v.config && v !== UNASSIGNED) return { ...UNKNOWN, prefix: "" };
          const d = arg();
          if (p.op.endsWith("=")) env.set(p.name, d);
          return d;
        }
        if (isEmpty && (colon || v.config)) {
          const d = arg();
          if (p.op.endsWith("=")) env.set(p.name, d);
          return d;
        }
        return v;
      }
      case ":+":
      case "+":
        if (v.value === null) return UNKNOWN;
        return isEmpty ? { ...UNKNOWN, value: "", prefix: "" } : arg();
      case "#":
      case "##":
      case "%":
      case "%%": {
        const pat = p.arg ? this.word(p.arg, env, file).value : "";
        if (v.value === null || pat === null) return UNKNOWN;
        return { ...v, value: trimPattern(v.value, pat, p.op), prefix: trimPattern(v.value, pat, p.op) };
      }
      case "?":
      case ":?":
        return v;
      default:
        return UNKNOWN;
    }
  }

  /** `$(...)`: unknown, except value-preserving forms worth modelling. */
  private substitution(p: Extract<A.WordPart, { kind: "cmdsub" }>, env: Env, file: string): Val {
    const body = p.body;
    // Commands inside a substitution still run; they are recorded like any other.
    const before = this.commands.length;
    this.block(body, env.clone(), [], null, file, true);
    const c = this.commands[before];
    if (body.length !== 1 || body[0]!.kind !== "command" || !c) return UNKNOWN;
    const args = c.args.filter((a) => !(a.value ?? "").startsWith("-"));
    const flags = c.args.filter((a) => (a.value ?? "").startsWith("-")).map((a) => a.value);
    const only = args.length === 1 ? args[0]!.value : null;
    if (only === null) return UNKNOWN;
    if ((c.name === "readlink" && flags.some((f) => /^-[a-z]*[fem]/.test(f ?? ""))) || c.name === "realpath") {
      // Resolved in the scanned tree: writes to the result go through the link.
      const target = only.startsWith("/") ? this.loader.resolve(only) : only;
      return { value: target, prefix: target, resolved: true, config: false, template: undefined };
    }
    if (c.name === "dirname") {
      const d = only.replace(/\/+[^/]*\/*$/, "") || "/";
      return { value: d, prefix: d, resolved: false, config: false, template: undefined };
    }
    if (c.name === "basename") {
      const b = only.replace(/\/+$/, "").replace(/^.*\//, "");
      return { value: b, prefix: b, resolved: false, config: false, template: undefined };
    }
    return UNKNOWN;
  }
}

/** Whether a statement always leaves the current script or function. */
function terminates(s: A.Stmt): boolean {
  if (s.kind === "command") return s.name !== null && (s.name.text === "exit" || s.name.text === "return");
  if (s.kind === "block") return !s.subshell && s.body.length > 0 && terminates(s.body[s.body.length - 1]!);
  if (s.kind === "if") return s.orElse !== null && s.clauses.every((c) => c.body.length > 0 && terminates(c.body[c.body.length - 1]!)) && s.orElse.length > 0 && terminates(s.orElse[s.orElse.length - 1]!);
  return false;
}

/** The condition under which the statements after `s` run, when `s` is an early exit. */
function earlyExit(s: A.Stmt, test: Test): { test: Test; when: boolean } | null {
  if ((s.kind === "or" || s.kind === "and") && terminates(s.right) && (test.kind === "or" || test.kind === "and")) {
    // `X || exit`: continues when X succeeded; `X && exit`: when it failed.
    return { test: test.left, when: s.kind === "or" };
  }
  if (s.kind === "if" && s.clauses.length === 1 && !s.orElse) {
    const body = s.clauses[0]!.body;
    if (body.length > 0 && terminates(body[body.length - 1]!) && test.kind === "and") return { test: test.left, when: false };
  }
  return null;
}

function emptyWord(span: Span): A.Word {
  return { parts: [], text: "", span };
}

/** The command name a word resolves to: `/bin/mount` -> `mount`. */
export function commandName(w: Word): string | null {
  const v = w.value;
  if (v === null || v === "") return null;
  return v.includes("/") && v !== "/" ? v.slice(v.lastIndexOf("/") + 1) : v;
}

/** Removes the shortest/longest match of a glob pattern from the start (#) or end (%). */
export function trimPattern(value: string, pattern: string, op: string): string {
  const re = new RegExp("^" + pattern.split("*").map(escapeRe).join(".*?") + "$", "s");
  const greedy = op.length === 2;
  if (op.startsWith("#")) {
    const lengths = [...Array(value.length + 1).keys()];
    if (greedy) lengths.reverse();
    for (const n of lengths) if (re.test(value.slice(0, n))) return value.slice(n);
  } else {
    const starts = [...Array(value.length + 1).keys()];
    if (!greedy) starts.reverse();
    for (const n of starts) if (re.test(value.slice(n))) return value.slice(0, n);
  }
  return value;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\\\?/g, ".");
}

/** `test`/`[` arguments as a test expression (POSIX test grammar, the common forms). */
export function testFromArgs(args: Word[]): Test {
  const v = (i: number) => args[i]?.value ?? null;
  const parseOr = (i: number, end: number): Test => {
    for (let k = end - 1; k > i; k--) if (v(k) === "-o") return { kind: "or", left: parseOr(i, k), right: parseAnd(k + 1, end) };
    return parseAnd(i, end);
  };
  const parseAnd = (i: number, end: number): Test => {
    for (let k = end - 1; k > i; k--) if (v(k) === "-a") return { kind: "and", left: parseAnd(i, k), right: primary(k + 1, end) };
    return primary(i, end);
  };
  const primary = (i: number, end: number): Test => {
    const n = end - i;
    if (n >= 2 && v(i) === "!") return { kind: "not", expr: primary(i + 1, end) };
    if (n === 1) return { kind: "word", word: args[i]! };
    if (n === 2 && /^-[a-zA-Z]$/.test(v(i) ?? "")) return { kind: "unary", op: v(i)!, operand: args[i + 1]! };
    if (n === 3) return { kind: "compare", op: v(i + 1) ?? "", left: args[i]!, right: args[i + 2]! };
    return { kind: "unknown", text: args.slice(i, end).map((a) => a.text).join(" ") };
  };
  return parseOr(0, args.length);
}
