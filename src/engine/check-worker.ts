/**
 * A check worker: models, learns from and checks its share of a scan's
 * programs in its own thread (see `check-pool.ts`), with its own parser,
 * its own copy of the tree's facts and its own parsed libraries.
 *
 * It opens the same view as the main thread (the index is sent, the tree
 * is not walked again) and builds the same facts from it. What a program
 * tells the facts depends on the program and the tree only; what it is
 * told depends on the facts so far, which in this thread lack what the
 * other threads' programs told. So the answer carries, for each program,
 * its reports, the answers its rules got and the lessons the facts took
 * from it: the main thread takes in every program's lessons in order and
 * checks again, with the complete facts, any program whose answers changed
 * (`CheckedPrograms.adopt` and `finish`).
 */
import type { Diagnostic, Role } from "../types.js";
import { openSharedDirectory, type SharedDirectory } from "../fs/dir.js";
import type { ReadRecord } from "../fs/view.js";
import { RootfsFacts } from "../rootfs/facts.js";
import { ScriptCache } from "../shell/program.js";
import { Parsing } from "../shell/parsing.js";
import { AstCache } from "../shell/cache.js";
import { withTree } from "../shell/parser.js";
import { setHeapGrowth } from "../heap.js";
import { RULES } from "../../rules/index.js";
import { CheckedPrograms, type CheckedResult, type ProgramSource } from "./programs.js";

export interface CheckTask {
  view: SharedDirectory;
  /** A root filesystem (its facts are read from the tree) or a directory of scripts (FHS defaults). */
  rootfs: boolean;
  /** Paths the configuration declares writable. */
  writable: readonly string[];
  /** The scan's rules, by id, in its order (reports name rules by their index). */
  rules: readonly string[];
  /** The AST cache's directory and size limit, when the scan uses one. */
  astCache?: { root: string; maxBytes: number };
  /** Record the files read (the scan stores its result in the result cache). */
  recordReads: boolean;
  programs: { order: number; source: ProgramSource; roles: Role[] }[];
}

export interface CheckAnswer {
  programs: (CheckedResult & { path: string; hasErrors: boolean; errorLines: number })[];
  /** The libraries the programs sourced, each once. */
  libraries: { path: string; text: string; lines: number; hasErrors: boolean; errorLines: number }[];
  /** Sourced paths not found in the root. */
  missing: string[];
  /** Diagnostics made in this thread. */
  diagnostics: Diagnostic[];
  reads: ReadRecord[];
}

// The grammar is loaded now, while the main thread walks the tree.
await withTree("true\n", () => null);
// A worker's heap holds the index, the facts and the program at hand: collected once it has grown by 12 MB.
setHeapGrowth(12 * 1024 * 1024);

export default async function check(task: CheckTask): Promise<CheckAnswer> {
  const rules = task.rules.map((id) => {
    const rule = RULES.find((r) => r.id === id);
    if (!rule) throw new Error(`check worker: no rule ${id}`);
    return rule;
  });
  const view = openSharedDirectory(task.view);
  const astCache = task.astCache ? new AstCache(task.astCache.root, task.astCache.maxBytes) : null;
  const parsing = new Parsing(astCache);
  const facts = task.rootfs ? await RootfsFacts.of(view) : RootfsFacts.none();
  for (const w of task.writable) facts.writableMounts.add(w);
  facts.startLearning();
  // (The facts' own reads are the main thread's too: it records them.)
  const reads = task.recordReads ? view.recordReads() : [];
  const cache = new ScriptCache(view, parsing);
  // Nothing kept for a second look: that is the main thread's.
  const checked = new CheckedPrograms(rules, facts, view, cache, parsing, 0);
  const syntax = new Map<string, { hasErrors: boolean; errorLines: number }>();
  for (const p of task.programs) {
    const script = await checked.add(p.source, new Set(p.roles), p.order);
    syntax.set(p.source.path, { hasErrors: script.hasErrors, errorLines: script.errorLines });
  }
  return {
    programs: checked.results().map((r) => ({ ...r, ...syntax.get(r.path)! })),
    libraries: cache.loaded().map((l) => ({ path: l.path, text: l.text, lines: l.lines, hasErrors: l.script.hasErrors, errorLines: l.script.errorLines })),
    missing: cache.missing(),
    diagnostics: view.diagnostics,
    reads,
  };
}
