/**
 * The accuracy harness: scans real distribution trees and compares the
 * findings with labels written by reading their scripts
 * (corpora/labels/<tree>.json: path, line, rule, flag|noflag, reason).
 *
 * A finding with no label counts against precision: every finding on a
 * labelled tree must be accounted for.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { scanPath, type ScanResult } from "../scan.js";
import { openDirectory } from "../fs/dir.js";
import { interpreterOf } from "../input/classify.js";
import { parseScript } from "../shell/program.js";

export interface Label {
  path: string;
  line: number;
  rule: string;
  expect: "flag" | "noflag";
  reason: string;
}

export interface RuleScore {
  rule: string;
  labels: number;
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
}

export interface TreeReport {
  tree: string;
  rules: RuleScore[];
  overall: RuleScore;
  /** False positives and negatives, for the reader. */
  mistakes: string[];
  coverage: { scanned: Coverage; tree: Coverage };
}

export interface Coverage {
  files: number;
  lines: number;
  linesInErrors: number;
  ratio: number;
}

/** Targets of the precision issue; parse coverage is held on the classic sysvinit tree, whose scripts rorlint reads most. */
export const TARGETS = { precision: 0.97, recall: 0.95, coverage: 0.995, coverageTrees: ["debian-12-sysvinit"], minLabels: 3 };

export async function loadLabels(labelsDir: string, tree: string): Promise<Label[]> {
  const json = JSON.parse(await readFile(join(labelsDir, `${tree}.json`), "utf8")) as { labels: Label[] };
  return json.labels;
}

function ratio(n: number, d: number): number {
  return d === 0 ? 1 : n / d;
}

function score(rule: string, labels: number, tp: number, fp: number, fn: number): RuleScore {
  return { rule, labels, tp, fp, fn, precision: ratio(tp, tp + fp), recall: ratio(tp, tp + fn) };
}

export function compare(tree: string, result: ScanResult, labels: Label[]): Omit<TreeReport, "coverage"> {
  const key = (path: string, line: number, rule: string) => `${rule} ${path}:${line}`;
  const found = new Set(result.findings.map((f) => key(f.path, f.line, f.ruleId)));
  const labelled = new Map(labels.map((l) => [key(l.path, l.line, l.rule), l]));
  const rules = [...new Set([...labels.map((l) => l.rule), ...result.findings.map((f) => f.ruleId)])].sort();
  const mistakes: string[] = [];
  const scores = rules.map((rule) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const l of labels.filter((x) => x.rule === rule)) {
      const hit = found.has(key(l.path, l.line, l.rule));
      if (l.expect === "flag" && hit) tp++;
      else if (l.expect === "flag") {
        fn++;
        mistakes.push(`missed      ${key(l.path, l.line, rule)}  (${l.reason})`);
      } else if (hit) {
        fp++;
        mistakes.push(`false alarm ${key(l.path, l.line, rule)}  (label: ${l.reason})`);
      }
    }
    for (const f of result.findings.filter((x) => x.ruleId === rule)) {
      if (labelled.has(key(f.path, f.line, rule))) continue;
      fp++;
      mistakes.push(`unlabelled  ${key(f.path, f.line, rule)}  ${f.message.split(". ")[0]}`);
    }
    return score(rule, labels.filter((x) => x.rule === rule).length, tp, fp, fn);
  });
  const sum = (k: "tp" | "fp" | "fn") => scores.reduce((n, s) => n + s[k], 0);
  return { tree, rules: scores, overall: score("overall", labels.length, sum("tp"), sum("fp"), sum("fn")), mistakes };
}

/** Parse coverage over every shell file of a tree (by its #! line), not only those rorlint reads. */
export async function treeCoverage(root: string): Promise<Coverage> {
  const view = await openDirectory(root);
  let files = 0;
  let lines = 0;
  let linesInErrors = 0;
  for (const e of view.entries()) {
    if (e.type !== "file" || e.size > 1_000_000) continue;
    const r = await view.readText(e.path);
    if (!r.ok || !interpreterOf(r.text)) continue;
    const script = await parseScript(r.text);
    files++;
    lines += r.text.split("\n").length;
    linesInErrors += script.errorLines;
  }
  return { files, lines, linesInErrors, ratio: ratio(lines - linesInErrors, lines) };
}

export async function evaluateTree(tree: string, root: string, labelsDir: string): Promise<TreeReport> {
  const result = await scanPath(root);
  const labels = await loadLabels(labelsDir, tree);
  const p = result.parse;
  const scanned = { files: p.files, lines: p.lines, linesInErrors: p.linesInErrors, ratio: ratio(p.lines - p.linesInErrors, p.lines) };
  return { ...compare(tree, result, labels), coverage: { scanned, tree: await treeCoverage(root) } };
}

/** Rules below target: those with enough labels whose precision or recall falls short. */
export function failures(report: TreeReport): string[] {
  const out: string[] = [];
  for (const s of [...report.rules, report.overall]) {
    if (s.labels < TARGETS.minLabels && s.rule !== "overall") continue;
    if (s.precision < TARGETS.precision) out.push(`${report.tree} ${s.rule}: precision ${s.precision.toFixed(3)} < ${TARGETS.precision}`);
    if (s.recall < TARGETS.recall) out.push(`${report.tree} ${s.rule}: recall ${s.recall.toFixed(3)} < ${TARGETS.recall}`);
  }
  if (TARGETS.coverageTrees.includes(report.tree) && report.coverage.tree.ratio < TARGETS.coverage) out.push(`${report.tree}: parse coverage ${report.coverage.tree.ratio.toFixed(4)} < ${TARGETS.coverage}`);
  return out;
}
