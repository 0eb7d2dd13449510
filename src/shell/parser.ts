/**
 * The one tree-sitter parser of the process. web-tree-sitter and the bash
 * grammar are loaded once; trees live in WASM memory and are deleted as
 * soon as the model has been built from them.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { setFlagsFromString } from "node:v8";
import { Language, Parser, type Node, type Tree } from "web-tree-sitter";
import { WASM_FLAGS } from "../flags.js";
import { bindingOptions, CHECK_SCRIPT, checkBinding } from "./cursor.js";

let loading: Promise<Parser> | undefined;

/** The parser, with the bash grammar, loaded on first call (see `preloadParser`). */
export function load(): Promise<Parser> {
  loading ??= (async () => {
    const require = createRequire(import.meta.url);
    // WebAssembly gets V8's baseline code (Liftoff) only. Otherwise V8 compiles
    // the whole grammar again with its optimizing compiler right after the
    // first parse, which holds up this thread for about half a second (more
    // than that code ever saves on shell scripts). And all of it when the
    // module is compiled, on V8's helper threads while the tree is walked,
    // not each function on this thread when first called (the first parse
    // took 15-20 ms more for that). Process-wide settings, made before the
    // first WebAssembly module is compiled.
    for (const flag of WASM_FLAGS) setFlagsFromString(flag);
    // (Its WebAssembly as bytes, not found beside its script: the command line's bundle holds that script.)
    const options = { ...bindingOptions(), wasmBinary: readFileSync(require.resolve("web-tree-sitter/web-tree-sitter.wasm")) };
    await Parser.init(options);
    // (Read at once: one step less for the load, which moves on only when the event loop turns; see turns.ts.)
    const language = await Language.load(readFileSync(require.resolve("tree-sitter-bash/tree-sitter-bash.wasm")));
    const parser = new Parser();
    parser.setLanguage(language);
    // Conversions walk trees with direct calls into the binding when it answers as the cursor does (see cursor.ts).
    const check = parser.parse(CHECK_SCRIPT);
    if (check) {
      checkBinding(options, check.rootNode);
      check.delete();
    }
    return parser;
  })();
  return loading;
}

/**
 * Starts loading the grammar (its WebAssembly is compiled off this thread),
 * so that it is ready by the first parse: a scan calls it before it walks
 * the tree. A failure shows at the first parse.
 */
export function preloadParser(): void {
  load().catch(() => undefined);
}

/**
 * The time a parse may take: a second, and 2 ms more per KB. Shell parses
 * at well under 1 ms per KB. On long text that is not shell, tree-sitter's
 * error recovery can take far longer, growing faster than the text (115 KB
 * of a library's symbols file: 17 s): a tree must not be able to hold up a
 * scan that way.
 */
export function parseBudgetMs(length: number): number {
  return 1000 + (2 * length) / 1024;
}

/** Thrown by `withTree` when a parse takes longer than its budget (see `parseBudgetMs`). */
export class ParseAbandoned extends Error {
  constructor(readonly budgetMs: number) {
    super(`parse abandoned after ${Math.round(budgetMs)} ms`);
  }
}

/**
 * Parses shell text and hands the root node to `use`. The tree is deleted
 * when `use` returns: nothing from it may be kept. A parse that takes
 * longer than `budgetMs` is abandoned (`ParseAbandoned`).
 */
export async function withTree<T>(text: string, use: (root: Node) => T, budgetMs = parseBudgetMs(text.length)): Promise<T> {
  const parser = await load();
  let tree: Tree | null = null;
  const deadline = performance.now() + budgetMs;
  let abandoned = false;
  try {
    // (tree-sitter asks now and then, while it parses, whether to stop.)
    tree = parser.parse(text, null, { progressCallback: () => (abandoned = performance.now() > deadline) });
    if (!tree) throw abandoned ? new ParseAbandoned(budgetMs) : new Error("tree-sitter returned no tree");
    return use(tree.rootNode);
  } finally {
    tree?.delete();
  }
}

export type { Node };
