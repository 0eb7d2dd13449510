/**
 * A baseline for gradual adoption, in the shape of ESLint's bulk
 * suppressions: counts of findings per file and rule.
 *
 *     { "etc/init.d/hwclock.sh": { "ROR104": { "count": 1 } } }
 *
 * - Keys are finding paths, relative to the scanned root. When several paths
 *   are scanned in one run, each key is prefixed with the scanned path as
 *   given and a colon ("rootfs-a:etc/rc.local"), so trees do not share counts.
 * - Comparing: for each file and rule, when the run has no more findings
 *   than the baseline's count, they are all "unchanged"; when it has more,
 *   they are all "new" (as ESLint does: which one is new cannot be told, so
 *   all are shown). Only "new" findings fail the run.
 * - Suppressed findings are neither counted nor compared.
 * - `--write-baseline` stores the run's counts; `--prune-baseline` drops the
 *   entries that match nothing any more and lowers counts to what is left.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Ajv } from "ajv";
import type { Finding } from "../types.js";
import { isSuppressed } from "../types.js";
import type { ScanResult } from "../scan.js";
import { UsageError } from "../commands/exit.js";
import { writeAtomic } from "../output.js";

export type Baseline = Record<string, Record<string, { count: number }>>;

const SCHEMA = {
  type: "object",
  additionalProperties: {
    type: "object",
    additionalProperties: {
      type: "object",
      properties: { count: { type: "integer", minimum: 1 } },
      required: ["count"],
    },
  },
};

let validator: ReturnType<Ajv["compile"]> | undefined;

export function readBaseline(file: string): Baseline {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === "ENOENT";
    throw new UsageError(`${file}: cannot read the baseline${missing ? " (create it with --write-baseline)" : `: ${(err as Error).message}`}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file}: the baseline is not valid JSON: ${(err as Error).message}`);
  }
  // ajv only when a baseline is read (loaded on demand: most scans have none).
  const { Ajv: AjvClass } = createRequire(import.meta.url)("ajv") as typeof import("ajv");
  validator ??= new AjvClass({ allErrors: true }).compile(SCHEMA);
  if (!validator(data)) {
    const e = validator.errors![0]!;
    throw new UsageError(`${file}: not a rorlint baseline: ${e.instancePath || "(top level)"} ${e.message ?? "is invalid"} (expected {"path": {"ROR105": {"count": 2}}})`);
  }
  return data as Baseline;
}

/** Writes a baseline with sorted keys, atomically. */
export async function writeBaseline(file: string, baseline: Baseline): Promise<void> {
  const sorted: Baseline = {};
  for (const path of Object.keys(baseline).sort()) {
    const rules = baseline[path]!;
    const ids = Object.keys(rules).sort();
    if (ids.length === 0) continue;
    sorted[path] = {};
    for (const id of ids) sorted[path][id] = { count: rules[id]!.count };
  }
  await writeAtomic(file, JSON.stringify(sorted, null, 2) + "\n");
}

/** The key of a finding's file in the baseline. */
export function baselineKey(result: ScanResult, f: Finding, several: boolean): string {
  return several ? `${result.target}:${f.path}` : f.path;
}

/** Findings that count for a baseline: not suppressed, grouped by file key and rule. */
function groups(results: readonly ScanResult[]): Map<string, Map<string, Finding[]>> {
  const several = results.length > 1;
  const out = new Map<string, Map<string, Finding[]>>();
  for (const r of results) {
    for (const f of r.findings) {
      if (isSuppressed(f)) continue;
      const key = baselineKey(r, f, several);
      const byRule = out.get(key) ?? out.set(key, new Map()).get(key)!;
      (byRule.get(f.ruleId) ?? byRule.set(f.ruleId, []).get(f.ruleId)!).push(f);
    }
  }
  return out;
}

/** The baseline of a run: every unsuppressed finding counted. */
export function baselineOf(results: readonly ScanResult[]): Baseline {
  const out: Baseline = {};
  for (const [key, byRule] of groups(results)) {
    out[key] = {};
    for (const [id, fs] of byRule) out[key][id] = { count: fs.length };
  }
  return out;
}

/** Entries that no longer match are dropped; counts above the run's are lowered. */
export function pruneBaseline(baseline: Baseline, results: readonly ScanResult[]): { baseline: Baseline; removed: number } {
  const current = groups(results);
  const out: Baseline = {};
  let removed = 0;
  for (const [key, rules] of Object.entries(baseline)) {
    for (const [id, { count }] of Object.entries(rules)) {
      const now = current.get(key)?.get(id)?.length ?? 0;
      if (now === 0) {
        removed++;
        continue;
      }
      (out[key] ??= {})[id] = { count: Math.min(count, now) };
    }
  }
  return { baseline: out, removed };
}

export interface BaselineComparison {
  /** Findings over the baseline (they fail the run). */
  new: number;
  unchanged: number;
  /** Baseline entries (file and rule) with no finding any more: `--prune-baseline` drops them. */
  stale: number;
}

/** Sets `baselineState` on every unsuppressed finding. */
export function compareWithBaseline(results: readonly ScanResult[], baseline: Baseline): BaselineComparison {
  const out: BaselineComparison = { new: 0, unchanged: 0, stale: 0 };
  const current = groups(results);
  for (const [key, byRule] of current) {
    for (const [id, fs] of byRule) {
      const allowed = baseline[key]?.[id]?.count ?? 0;
      const state = fs.length <= allowed ? "unchanged" : "new";
      for (const f of fs) f.baselineState = state;
      out[state] += fs.length;
    }
  }
  for (const [key, rules] of Object.entries(baseline)) for (const id of Object.keys(rules)) if (!current.get(key)?.has(id)) out.stale++;
  return out;
}
