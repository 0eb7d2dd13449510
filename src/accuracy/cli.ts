/**
 * `npm run accuracy [TREE...]`: precision and recall per rule on the labelled
 * Debian corpora, and parse coverage. Exits 1 when a rule with at least 3
 * labels falls below the targets, 2 when a corpus cannot be built.
 */
import { join } from "node:path";
import { ensureCorpus, projectRoot } from "../corpus/build.js";
import { evaluateTree, failures, TARGETS, type TreeReport } from "./harness.js";

const TREES = ["debian-12-sysvinit", "debian-12-minbase", "debian-13-minbase"];

function pct(x: number): string {
  return x.toFixed(3);
}

function print(r: TreeReport): void {
  const out = process.stdout;
  out.write(`\n${r.tree}\n`);
  out.write(`  rule     labels   tp   fp   fn  precision  recall\n`);
  for (const s of [...r.rules, r.overall]) {
    out.write(`  ${s.rule.padEnd(8)} ${String(s.labels).padStart(6)} ${String(s.tp).padStart(4)} ${String(s.fp).padStart(4)} ${String(s.fn).padStart(4)}  ${pct(s.precision).padStart(9)}  ${pct(s.recall).padStart(6)}\n`);
  }
  const c = r.coverage;
  out.write(`  parse coverage: ${(100 * c.scanned.ratio).toFixed(2)}% of ${c.scanned.lines} lines in the ${c.scanned.files} files rorlint reads; ${(100 * c.tree.ratio).toFixed(2)}% of ${c.tree.lines} lines in all ${c.tree.files} shell files of the tree (${c.tree.linesInErrors} lines in unrecovered ERROR regions)\n`);
  for (const m of r.mistakes) out.write(`  ${m}\n`);
}

async function main(argv: string[]): Promise<number> {
  const trees = argv.length ? argv : TREES;
  const labelsDir = join(projectRoot(), "corpora", "labels");
  const problems: string[] = [];
  for (const tree of trees) {
    let root: string;
    try {
      root = await ensureCorpus(tree);
    } catch (err) {
      process.stderr.write(`accuracy: ${tree}: cannot build the corpus: ${(err as Error).message}\n`);
      return 2;
    }
    const report = await evaluateTree(tree, root, labelsDir);
    print(report);
    problems.push(...failures(report));
  }
  process.stdout.write(`\ntargets: precision >= ${TARGETS.precision}, recall >= ${TARGETS.recall} for every rule with at least ${TARGETS.minLabels} labels; parse coverage >= ${100 * TARGETS.coverage}% on ${TARGETS.coverageTrees.join(", ")}\n`);
  if (problems.length) {
    process.stdout.write(`BELOW TARGET:\n${problems.map((p) => `  ${p}`).join("\n")}\n`);
    return 1;
  }
  process.stdout.write("all targets met\n");
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
