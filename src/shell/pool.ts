/**
 * The pool of parse workers (piscina): one thread per core but one (the main
 * thread parses too; `RORLINT_WORKERS` overrides, 0 turns workers off), each with its own
 * loaded grammar (see `parse-worker.ts`). It is started as soon as a scan
 * sees a tree large enough to be worth it (during the walk, so that the
 * workers load their grammar meanwhile), shared by the scans that run at the
 * same time, and stopped when the last of them has parsed everything
 * (`releaseParsePool`), or by `closeParsePool` (the command line, before it
 * exits). Idle workers never keep a process alive.
 */
import { availableParallelism } from "node:os";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import type { Piscina } from "piscina";

/**
 * On two cores, V8's own helper threads (concurrent GC and compilation)
 * already keep the second core half busy during a scan, and modelling, not
 * parsing, is most of the main thread's work: measured on such a machine,
 * a parse worker saves nothing, on a Debian tree (0.93-1.11 s against
 * 0.82-1.11 s in one thread, six interleaved runs) or on 50 copies of it
 * (7.2-9.1 s against 7.0-8.2 s), and costs some 80 MB. So there, workers
 * are used only when `RORLINT_WORKERS` asks for them.
 */
export const FEW_CORES = availableParallelism() <= 2 && !process.env.RORLINT_WORKERS;

/** Shell files to parse below which a scan parses in its own thread: starting workers costs more than it saves. */
export const POOL_MIN_FILES = FEW_CORES ? Number.POSITIVE_INFINITY : 40;
/**
 * Entries of a tree from which the walk starts the workers, before the scan
 * knows how many shell files there are (so that they load meanwhile). Not on
 * two cores, where they would slow the walk of trees too small to need them.
 */
export const POOL_EARLY_ENTRIES = FEW_CORES ? Number.POSITIVE_INFINITY : 1000;

export type ParsePool = Piscina<string[], Uint8Array[]>;

/** Young generation of a worker's heap, in MB. */
const WORKER_YOUNG_MB = 8;

/** Batches a worker may hold at once. */
export const TASKS_PER_WORKER = 4;

let pool: ParsePool | null = null;

/**
 * The compiled worker script. Running from the TypeScript sources (the
 * tests), there is none beside this module: the build's is used, and only
 * when asked for explicitly (`required`), so that tests never depend on a
 * stale build by accident.
 */
export function workerScript(required: boolean, script = "shell/parse-worker.js"): string | null {
  const here = fileURLToPath(import.meta.url);
  // Built: beside the modules (dist/src/shell/pool.js), or in the bundle: the command line's (dist/bundle/cli.cjs), or a worker's, whose code may sit in its chunks/.
  if (/\.c?js$/.test(here)) return [join(dirname(here), "..", script), join(dirname(here), script)].find((p) => existsSync(p)) ?? join(dirname(here), "..", script);
  if (!required) return null;
  const built = join(dirname(here), "..", "..", "dist", "src", script);
  if (!existsSync(built)) throw new Error(`worker threads need the build (npm run build): dist/src/${script} is missing`);
  return built;
}

/**
 * Worker threads: `RORLINT_WORKERS` if set (0: never use workers), else one
 * per core but one, the main thread's (which parses too when it would
 * otherwise wait: see `parsing.ts`).
 */
export function threadCount(): number {
  const n = Number.parseInt(process.env.RORLINT_WORKERS ?? "", 10);
  return Number.isInteger(n) && n >= 0 ? n : Math.max(1, availableParallelism() - 1);
}

/** Whether workers can be used at all (`required`: the caller asked for them explicitly, which `RORLINT_WORKERS=0` does not override). */
export function poolAvailable(required = false): boolean {
  return (required || threadCount() > 0) && workerScript(required) !== null;
}

/** Scans holding the pool now: the last one to let go stops the workers (their memory goes with them). */
let holders = 0;

/** The process's parse pool, started on first use (synchronously: the workers start loading at once). */
export function parsePool(required = false): ParsePool {
  if (pool) return pool;
  const filename = workerScript(required);
  if (!filename) throw new Error("no parse worker script");
  // piscina is loaded when a scan first needs it, not by every scan.
  const { Piscina } = createRequire(import.meta.url)("piscina") as typeof import("piscina");
  const threads = Math.max(1, threadCount());
  // Several batches queued in each worker: it keeps parsing while the main thread is busy modelling
  // (which it is, for long stretches in which it hands out no work).
  // A small young generation: a worker's objects are one batch's syntax, dead once serialized (the default, sized
  // for a main thread, would add tens of MB per worker to the process's memory).
  pool = new Piscina<string[], Uint8Array[]>({ filename, minThreads: threads, maxThreads: threads, concurrentTasksPerWorker: TASKS_PER_WORKER, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB } });
  return pool;
}

/** Takes a hold on the pool (starting it if needed) for one scan; `releaseParsePool` gives it back. */
export function acquireParsePool(required = false): ParsePool {
  const p = parsePool(required);
  holders++;
  return p;
}

/**
 * Gives back a hold: when no scan holds the pool any more, its workers stop.
 * A scan lets go as soon as it has parsed everything, so that a process that
 * scans again and again does not keep the workers' memory meanwhile.
 */
export async function releaseParsePool(): Promise<void> {
  holders = Math.max(0, holders - 1);
  if (holders === 0) await closeParsePool();
}

/** Threads the pool runs now (0 when there is none): for tests. */
export function poolThreads(): number {
  return pool?.threads.length ?? 0;
}

/** Stops the workers whoever holds them (the command line, before it exits); the next scan that needs them starts a new pool. */
export async function closeParsePool(): Promise<void> {
  const p = pool;
  pool = null;
  holders = 0;
  if (p) await p.destroy();
}
