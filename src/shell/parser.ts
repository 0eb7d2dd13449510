/**
 * The one tree-sitter parser of the process. web-tree-sitter and the bash
 * grammar are loaded once; trees live in WASM memory and are deleted as
 * soon as the model has been built from them.
 */
import { createRequire } from "node:module";
import { setFlagsFromString } from "node:v8";
import { Language, Parser, type Node, type Tree } from "web-tree-sitter";

let loading: Promise<Parser> | undefined;

function load(): Promise<Parser> {
  loading ??= (async () => {
    const require = createRequire(import.meta.url);
    // WebAssembly gets V8's baseline code (Liftoff) only. Otherwise V8 compiles
    // the whole grammar again with its optimizing compiler right after the
    // first parse, which holds up this thread for about half a second (more
    // than that code ever saves on shell scripts). A process-wide setting,
    // made before the first WebAssembly module is compiled.
    setFlagsFromString("--liftoff-only");
    await Parser.init();
    const language = await Language.load(require.resolve("tree-sitter-bash/tree-sitter-bash.wasm"));
    const parser = new Parser();
    parser.setLanguage(language);
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
 * Parses shell text and hands the root node to `use`. The tree is deleted
 * when `use` returns: nothing from it may be kept.
 */
export async function withTree<T>(text: string, use: (root: Node) => T): Promise<T> {
  const parser = await load();
  let tree: Tree | null = null;
  try {
    tree = parser.parse(text);
    if (!tree) throw new Error("tree-sitter returned no tree");
    return use(tree.rootNode);
  } finally {
    tree?.delete();
  }
}

export type { Node };
