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
import { FsView, relative, type Entry } from "./fs/view.js";
import { openDirectory } from "./fs/dir.js";
import { interpreterOf, isIgnoredName, rolesOf, runlevelRoles, SCRIPT_GLOBS } from "./input/classify.js";
import { buildModel, implicitSources, parseScript, Program, ScriptCache } from "./shell/program.js";
import { RootfsFacts } from "./rootfs/facts.js";
import { runRules } from "./engine/run.js";
import { effectsOf } from "./shell/effects.js";
import { classify } from "./shell/guards.js";
import type { Condition } from "./shell/model.js";
import type { Rule } from "./engine/rule.js";
import { RULES } from "../rules/index.js";

export type TargetKind = "rootfs" | "scripts" | "file";

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
}

export interface ScanResult {
  /** The path as the user gave it. */
  target: string;
  kind: TargetKind;
  findings: Finding[];
  diagnostics: Diagnostic[];
  parse: ParseStats;
  /** Scripts found, by role. */
  scripts: { path: string; roles: Role[]; interpreter: string }[];
  /** Text of every file a finding points at, for code frames. */
  sources: Map<string, string>;
}

/** Host paths of loose files are mapped to where they would sit in a root ("…/etc/init.d/x" -> "/etc/init.d/x"). */
function virtualPath(hostPath: string): string {
  const m = /\/((?:etc|sbin|usr|var\/lib\/dpkg\/info|lib)\/.*)$/.exec(hostPath);
  return m ? `/${m[1]}` : `/${hostBasename(hostPath)}`;
}

async function openTarget(target: string): Promise<{ view: FsView; kind: TargetKind }> {
  const abs = hostResolve(target);
  const st = await fsp.stat(abs);
  if (st.isDirectory()) {
    const view = await openDirectory(abs);
    const isDir = (p: string) => view.resolve(p).entry?.type === "dir";
    const kind = isDir("/etc") && (isDir("/usr") || isDir("/bin") || isDir("/sbin")) ? "rootfs" : "scripts";
    return { view, kind };
  }
  if (!st.isFile()) throw new Error(`${target}: not a regular file or directory`);
  const path = virtualPath(abs);
  const entry: Entry = { path, type: "file", size: st.size, mode: st.mode & 0o7777 };
  const view = new FsView(abs, [entry], { read: () => fsp.readFile(abs) });
  return { view, kind: "file" };
}

export async function scanPath(target: string, options: ScanOptions = {}): Promise<ScanResult> {
  const rules = options.rules ?? RULES;
  const { view, kind } = await openTarget(target);
  const cache = new ScriptCache(view);
  const texts = new Map<string, string>();
  const stats: ParseStats = { files: 0, filesWithErrors: 0, linesInErrors: 0, lines: 0 };

  // Classify: candidate scripts by location (a root filesystem) or every file (loose scripts).
  const isCandidate = kind === "rootfs" ? picomatch(SCRIPT_GLOBS, { dot: true }) : () => true;
  const linked = kind === "rootfs" ? runlevelRoles(view) : new Map<string, Set<Role>>();
  const seen = new Set<string>();
  const programs: Program[] = [];
  const scripts: ScanResult["scripts"] = [];
  const candidates = [...view.entries()].filter((e) => e.type !== "dir" && isCandidate(relative(e.path)) && !isIgnoredName(e.path)).sort((a, b) => (a.path < b.path ? -1 : 1));
  for (const e of candidates) {
    const r = view.resolve(e.path);
    if (r.error) {
      view.diagnose(e.path, "symlink-loop", r.error);
      continue;
    }
    // Runlevel links lead to init scripts, which are scanned at their own path.
    if (seen.has(r.path) || (e.type === "symlink" && /\/rc[0-6S]\.d\//.test(e.path))) continue;
    seen.add(r.path);
    const file = await view.readText(r.path);
    if (!file.ok) {
      if (file.code !== "missing") view.diagnose(r.path, file.code, file.reason);
      continue;
    }
    const interpreter = interpreterOf(file.text);
    if (interpreter === "") continue; // another language
    if (interpreter === null && kind !== "rootfs" && !/\.(sh|bash|init)$/.test(r.path) && !/^### BEGIN INIT INFO/m.test(file.text)) continue;
    let roles = rolesOf(r.path, file.text, interpreter, linked.get(r.path));
    if (options.role && roles.has("other")) roles = new Set([options.role]);
    const script = await parseScript(file.text);
    const lines = file.text.split("\n").length;
    const model = await buildModel(r.path, script, lines, cache, implicitSources(r.path, interpreter));
    texts.set(r.path, file.text);
    programs.push(new Program(model, roles, interpreter ?? "sh"));
    scripts.push({ path: relative(r.path), roles: [...roles], interpreter: interpreter ?? "sh" });
    count(stats, script.hasErrors, script.errorLines, lines);
  }
  for (const lib of cache.loaded()) {
    count(stats, lib.script.hasErrors, lib.script.errorLines, lib.lines);
    texts.set(lib.path, lib.text);
  }
  for (const m of cache.missing()) view.diagnose(m, "source-missing", "sourced file not found in the scanned root");

  const facts = kind === "rootfs" ? await RootfsFacts.of(view) : RootfsFacts.none();
  // Directories that boot scripts create on every boot count for every script (ROR102).
  for (const p of programs) {
    for (const inst of p.instances) {
      if (!inst.roles.includes("boot") || !runsEveryTime(inst.conditions)) continue;
      for (const eff of effectsOf(inst.command)) if (eff.kind === "mkdir" && eff.path.value) facts.createdAtBoot.add(facts.resolve(eff.path.value));
    }
  }
  const findings = await runRules([...rules], programs, facts, kind === "rootfs" ? view : null);
  const sources = new Map<string, string>();
  for (const f of findings) {
    const t = texts.get("/" + f.path);
    if (t !== undefined) sources.set(f.path, t);
  }
  return { target, kind, findings, diagnostics: view.diagnostics, parse: stats, scripts, sources };
}

/** Conditions that do not keep a command from running on every boot: the action dispatch, "create if missing". */
function runsEveryTime(conditions: readonly Condition[]): boolean {
  return conditions.every((c) => c.test.kind === "match" || classify(c) === "existence");
}

function count(stats: ParseStats, hasErrors: boolean, errorLines: number, lines: number): void {
  stats.files++;
  stats.lines += lines;
  if (hasErrors) stats.filesWithErrors++;
  stats.linesInErrors += errorLines;
}
