/**
 * A parse worker: one web-tree-sitter parser with the bash grammar per
 * worker thread, loaded when the worker starts. Each task is a batch of
 * texts; the answer is their ASTs (`syntax.ts`, plain objects), each
 * serialized with v8.serialize, which the main thread deserializes (and may
 * store in the AST cache as is). No tree leaves the worker.
 */
import { serialize } from "node:v8";
import { parseScript } from "./parse.js";
import { withTree } from "./parser.js";

// Load the grammar now, while the main thread is still walking the tree.
await withTree("true\n", () => null);

export default async function parse(texts: string[]): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const text of texts) out.push(serialize(await parseScript(text)));
  return out;
}
