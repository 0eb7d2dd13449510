/**
 * The V8 flags rorlint sets for its process, in one place: the modules that
 * need them set them (`tiering.ts`, `shell/parser.ts`), and the launcher
 * (`launch.ts`) sets them before it compiles the command line, since V8 takes
 * a code cache only under the flags it was made with.
 */

/** The optimizing compiler waits eight times V8's default (see `tiering.ts`). */
export const INTERRUPT_BUDGET_FLAG = "--interrupt-budget=540672";

/** WebAssembly gets V8's baseline code only, compiled in full when the module is (see `shell/parser.ts`). */
export const WASM_FLAGS = ["--liftoff-only", "--no-wasm-lazy-compilation"];

export const PROCESS_FLAGS = [INTERRUPT_BUDGET_FLAG, ...WASM_FLAGS];
