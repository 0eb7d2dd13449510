/**
 * Turns of the event loop in the long synchronous stretches of a scan (the
 * walk, the reading of the candidate scripts).
 *
 * The grammar loads while the tree is walked (`preloadParser`): V8 compiles
 * its WebAssembly on helper threads, on another core. But each step of the
 * load (the module compiled, then instantiated, then the language's) goes
 * on only when this thread lets the event loop turn, and a walk made of
 * synchronous calls never does: the load then waited for the first parse,
 * which waited some 25 ms for it. Letting the loop turn every couple of
 * milliseconds costs a few microseconds each time, and the load is done
 * before the first parse.
 */

/** How often the loop is let turn, at most. */
const TURN_MS = 2;

export class Turns {
  private last = performance.now();

  /** Whether it is time to let the loop turn (cheap: call it as often as you like). */
  due(): boolean {
    return performance.now() - this.last >= TURN_MS;
  }

  /** Lets the event loop turn once (pending callbacks and promise steps run). */
  async take(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    this.last = performance.now();
  }
}
