/**
 * Parsing for one scan. Every text is parsed once (scripts and libraries
 * alike, whatever their names), in one of three ways:
 *
 * - from the AST cache (`--cache`, see `cache.ts`), by content hash;
 * - in the pool of parse workers (`pool.ts`), when the scan has enough files;
 * - in this thread.
 *
 * Whichever way, the caller gets the same plain AST (`syntax.ts`): a worker
 * or the cache hands over the v8-serialized form, deserialized here.
 *
 * With workers, the texts wait in a queue, in the order the scan will ask
 * for them. The workers take batches from its front, a bounded way ahead of
 * this thread (their answers wait serialized, which is compact, until asked
 * for); when this thread needs a text that no worker has taken yet, it parses
 * that text itself rather than wait. So neither waits for the other, and a
 * large tree's syntax is never all in memory at once.
 *
 * A library's parse is remembered for the whole scan (however many scripts
 * source it, under whatever name); a script's only until it is delivered,
 * so that the syntax of thousands of scripts is never held at once (the same
 * text asked for again later is parsed again).
 */
import { deserialize, serialize } from "node:v8";
import type { Script } from "./syntax.js";
import { parseScript } from "./parse.js";
import { acquireParsePool, parsePool, POOL_MIN_FILES, releaseParsePool, TASKS_PER_WORKER } from "./pool.js";
import type { AstCache } from "./cache.js";

export interface ParsingStats {
  /** Texts parsed in this thread. */
  inThread: number;
  /** Texts parsed by the workers. */
  inWorkers: number;
  /** Texts read from the AST cache. */
  cached: number;
  /** Parses saved because the same text was asked for again. */
  shared: number;
}

/** Texts a worker takes at a time, at most; and characters. */
const BATCH_FILES = 4;
const BATCH_CHARS = 32 * 1024;
/** Serialized answers that may wait for the scan to ask for them, in bytes: beyond, workers pause. */
const READY_BYTES = 8 * 1024 * 1024;

interface Pending {
  text: string;
  resolve: (script: Script) => void;
  reject: (err: unknown) => void;
  /** Taken by a worker or by this thread. */
  taken: boolean;
  /** A worker's answer, not asked for yet. */
  bytes?: Uint8Array;
}

export class Parsing {
  /** Parses asked for or started, by text (a script's until it is delivered). */
  private readonly memo = new Map<string, Promise<Script>>();
  /** Texts asked for (not only prefetched). */
  private readonly asked = new Set<string>();
  /** Texts for the workers, in order (taken ones are skipped), and every pending text by text. */
  private queue: Pending[] = [];
  private head = 0;
  private readonly pending = new Map<string, Pending>();
  /** Workers allowed; started (this scan holds the pool) once `started`. */
  private workers = false;
  private started = false;
  private requireWorkers = false;
  private holding = false;
  private inFlight = 0;
  private readyBytes = 0;
  readonly stats: ParsingStats = { inThread: 0, inWorkers: 0, cached: 0, shared: 0 };

  constructor(private readonly cache: AstCache | null = null) {}

  /**
   * Parses with the worker pool from now on (`required`: asked for
   * explicitly, so an unavailable pool is an error). With the AST cache,
   * the pool starts only when more than POOL_MIN_FILES texts miss it.
   */
  useWorkers(required = false): void {
    this.workers = true;
    this.requireWorkers = required;
    if (!this.cache || required) this.start();
  }

  get usesWorkers(): boolean {
    return this.workers;
  }

  private start(): void {
    this.hold();
    this.started = true;
    this.pump();
  }

  /** Starts the workers ahead of need (a large tree: they load their grammar while the walk goes on). */
  hold(): void {
    if (this.holding) return;
    acquireParsePool(this.requireWorkers);
    this.holding = true;
  }

  /** Lets go of the workers: the scan has parsed all it will (or failed). Anything parsed later is parsed here. */
  async release(): Promise<void> {
    this.workers = false;
    this.started = false;
    if (!this.holding) return;
    this.holding = false;
    await releaseParsePool();
  }

  /** Queues `text` for the workers when the scan uses them (so that they work while this thread reads and models). */
  prefetch(text: string): void {
    if (this.workers && !this.memo.has(text)) this.memo.set(text, this.compute(text));
  }

  /** Kept for callers that batch: the queue is sent as workers come free, so there is nothing to push. */
  flush(): void {
    this.pump();
  }

  /**
   * The AST of `text`, parsed once per scan: `keep` (a library) remembers it
   * for later askers; otherwise (a script) it is forgotten once delivered.
   */
  parse(text: string, keep = true): Promise<Script> {
    let p = this.memo.get(text);
    if (p) {
      if (this.asked.has(text)) this.stats.shared++;
    } else this.memo.set(text, (p = this.compute(text)));
    this.asked.add(text);
    if (!keep) {
      const asked = p;
      asked.then(
        () => void (this.memo.get(text) === asked && this.memo.delete(text)),
        () => {},
      );
    }
    const waiting = this.pending.get(text);
    if (waiting) {
      this.pending.delete(text);
      if (waiting.bytes) {
        // A worker's answer, kept serialized until now.
        this.readyBytes -= waiting.bytes.length;
        waiting.resolve(deserialize(waiting.bytes) as Script);
        waiting.bytes = undefined;
        this.pump();
      } else if (!waiting.taken) {
        // Wanted now and no worker has it: parse it here rather than wait.
        waiting.taken = true;
        this.inThread(text).then(waiting.resolve, waiting.reject);
      }
    }
    return p;
  }

  private compute(text: string): Promise<Script> {
    const p = this.run(text);
    // A parse that fails is reported to whoever awaits it; one started ahead and never awaited (the scan failed before) is no crash.
    p.catch(() => {});
    return p;
  }

  private run(text: string): Promise<Script> {
    const hit = this.cache?.get(text);
    if (hit) {
      this.stats.cached++;
      return Promise.resolve(hit);
    }
    if (!this.workers) return this.inThread(text);
    return new Promise<Script>((resolve, reject) => {
      const p: Pending = { text, resolve, reject, taken: false };
      this.queue.push(p);
      this.pending.set(text, p);
      // With the AST cache, workers only once enough texts missed it.
      if (!this.started && this.pending.size > POOL_MIN_FILES) this.start();
      this.pump();
    });
  }

  /** Keeps the workers supplied with batches from the front of the queue, while answers waiting to be asked for stay within bounds. */
  private pump(): void {
    if (!this.started) return;
    const pool = parsePool(this.requireWorkers);
    while (this.head < this.queue.length && this.inFlight < pool.options.maxThreads * TASKS_PER_WORKER && this.readyBytes < READY_BYTES) {
      const batch: Pending[] = [];
      let chars = 0;
      while (this.head < this.queue.length && batch.length < BATCH_FILES && chars < BATCH_CHARS) {
        const p = this.queue[this.head++]!;
        if (p.taken) continue;
        p.taken = true;
        batch.push(p);
        chars += p.text.length;
      }
      // Done with the front of the queue: let it go.
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      if (batch.length === 0) break;
      this.inFlight++;
      pool.run(batch.map((p) => p.text)).then(
        (out) => {
          this.inFlight--;
          batch.forEach((p, i) => {
            const bytes = out[i]!;
            this.stats.inWorkers++;
            this.cache?.put(p.text, bytes);
            if (this.asked.has(p.text)) {
              this.pending.delete(p.text);
              p.resolve(deserialize(bytes) as Script);
            } else {
              p.bytes = bytes;
              this.readyBytes += bytes.length;
            }
          });
          this.pump();
        },
        (err: unknown) => {
          this.inFlight--;
          batch.forEach((p) => {
            this.pending.delete(p.text);
            p.reject(err);
          });
        },
      );
    }
  }

  private async inThread(text: string): Promise<Script> {
    const script = await parseScript(text);
    this.stats.inThread++;
    this.cache?.put(text, serialize(script));
    return script;
  }
}
