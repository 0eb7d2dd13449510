/**
 * The check workers (piscina): threads that model, learn from and check a
 * share of a scan's programs each (`check-worker.ts`), while the main
 * thread checks its own share. One per core but one (`RORLINT_WORKERS`
 * overrides, 0 turns them off), at most MAX_CHECK_WORKERS: each parses the
 * libraries its programs source again and holds a copy of the index and the
 * facts, so more threads than that cost more memory than they save time.
 *
 * A scan starts them while it walks a large tree (they load the engine and
 * the grammar meanwhile), uses them once it knows it has enough programs to
 * share out, and lets them go when they have answered; the command line
 * stops them before it exits (`closeCheckPool`). Idle workers never keep a
 * process alive.
 */
import { createRequire } from "node:module";
import type { Piscina } from "piscina";
import { FEW_CORES, threadCount, workerScript } from "../shell/pool.js";
import type { CheckAnswer, CheckTask } from "./check-worker.js";

const SCRIPT = "engine/check-worker.js";
export const MAX_CHECK_WORKERS = 3;
/** Programs to model below which a scan checks them all in its own thread: a worker's start and answer cost more. */
export const CHECK_MIN_PROGRAMS = 24;
/** Entries of a tree from which the walk starts the workers, before the scan knows how many programs it has. */
export const CHECK_EARLY_ENTRIES = 1000;

type CheckPool = Piscina<CheckTask, CheckAnswer>;
let pool: CheckPool | null = null;
let holders = 0;

/**
 * Programs from which a scan on two cores uses one check worker. There, V8's
 * helper threads already keep the second core half busy: measured (median
 * of 5-16 interleaved runs), a worker costs time on a Debian tree (0.62 s
 * against 0.55 s), breaks even on 4 copies of it (1.05 s against 1.06 s),
 * and saves on 16 (2.9 s against 3.2 s) and 50 (5.7-6.7 s against 7.4-9.4
 * s), for some 45 MB more.
 */
export const FEW_CORES_MIN_PROGRAMS = 500;

/**
 * How many check workers a scan of `programs` programs can use (without
 * `programs`: whether it may use any, before it knows): 0 when there are
 * none (or the build is missing), unless `required` (the caller asked for
 * them). On two cores, one from FEW_CORES_MIN_PROGRAMS on, unless
 * `RORLINT_WORKERS` says otherwise.
 */
export function checkWorkers(required = false, programs = Number.POSITIVE_INFINITY): number {
  const n = Math.min(MAX_CHECK_WORKERS, required ? Math.max(1, threadCount()) : FEW_CORES ? (programs >= FEW_CORES_MIN_PROGRAMS ? 1 : 0) : threadCount());
  return n > 0 && workerScript(required, SCRIPT) !== null ? n : 0;
}

/** Takes a hold on the check workers for one scan (`threads` of them), starting them if needed; `releaseCheckPool` gives it back. */
export function acquireCheckPool(required = false, threads = checkWorkers(required)): CheckPool {
  if (!pool) {
    const filename = workerScript(required, SCRIPT);
    if (!filename) throw new Error("no check worker script");
    const { Piscina } = createRequire(import.meta.url)("piscina") as typeof import("piscina");
    // A small young generation, as for the parse workers: a worker's objects are one program's, dead once it is checked.
    pool = new Piscina<CheckTask, CheckAnswer>({ filename, minThreads: threads, maxThreads: threads, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
  }
  holders++;
  return pool;
}

/** Gives back a hold: when no scan holds the workers any more, they stop (and their memory goes with them). */
export async function releaseCheckPool(): Promise<void> {
  holders = Math.max(0, holders - 1);
  if (holders === 0) await closeCheckPool();
}

/** Stops the workers whoever holds them (the command line, before it exits). */
export async function closeCheckPool(): Promise<void> {
  const p = pool;
  pool = null;
  holders = 0;
  if (p) await p.destroy();
}

/** Threads the check workers run now (0 when they are stopped): for tests. */
export function checkPoolThreads(): number {
  return pool?.threads.length ?? 0;
}
