/**
 * The parse floor: the least a Node process must do to lint the shell files
 * of a tree with this stack, single-threaded.
 *
 *   1. discovery: walk the whole tree (links not followed) and read the
 *      first bytes of every regular file, keeping those whose `#!` line
 *      names a shell;
 *   2. parse each of them with web-tree-sitter (bash grammar);
 *   3. walk every tree completely (a cursor visiting every node).
 *
 * Nothing else: no model, no rules, no output but a summary line. It is
 * single-threaded, and reads with synchronous calls (the fastest way here).
 * The grammar loads while the tree is walked, as in a scan (its WebAssembly
 * is compiled on V8's helper threads; see src/turns.ts).
 *
 *   node dist/bench/floor.js ROOT [--list FILE]
 *
 * `--list FILE` also writes the shell files found (host paths, one a line),
 * so that ShellCheck can be run on the very same files.
 */
import { closeSync, fstatSync, openSync, readdirSync, readSync, writeFileSync, constants } from "node:fs";
import { join } from "node:path";
import { interpreterOf } from "../src/input/classify.js";
import { load } from "../src/shell/parser.js";
import type { Parser } from "web-tree-sitter";
import { visitAll, walkOf } from "../src/shell/cursor.js";
import { Turns } from "../src/turns.js";

const HEAD = 256;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const root = args[0];
  if (!root) throw new Error("usage: floor ROOT [--list FILE]");
  const listAt = args.indexOf("--list");
  const listFile = listAt >= 0 ? args[listAt + 1] : undefined;

  const parser = load();
  const turns = new Turns();
  // 1. Discovery.
  const shellFiles: string[] = [];
  const head = Buffer.alloc(HEAD);
  let entries = 0;
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    if (turns.due()) await turns.take();
    let list;
    try {
      list = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const d of list) {
      entries++;
      const p = join(dir, d.name);
      if (d.isDirectory()) stack.push(p);
      else if (d.isFile()) {
        let fd: number;
        try {
          fd = openSync(p, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
        } catch {
          continue;
        }
        const n = readSync(fd, head, 0, HEAD, 0);
        closeSync(fd);
        if (n > 2 && head[0] === 0x23 && head[1] === 0x21 && interpreterOf(head.toString("latin1", 0, n))) shellFiles.push(p);
      }
    }
  }
  await runParse(await parser, shellFiles, entries, listFile);
}

/**
 * `parser` as rorlint loads it (src/shell/parser.ts): V8's baseline WebAssembly code only, which
 * spares the half second its optimizing compiler would hold up the parse for, and trees walked
 * with direct calls into web-tree-sitter's binding (src/shell/cursor.ts). The floor is the least
 * this stack needs, so it gets the same.
 */
async function runParse(parser: Parser, files: string[], entries: number, listFile: string | undefined): Promise<void> {
  let bytes = 0;
  let nodes = 0;
  for (const f of files) {
    // 2. Parse (the whole file, read at once).
    const fd = openSync(f, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const size = fstatSync(fd).size;
    const buf = Buffer.alloc(size);
    let off = 0;
    while (off < size) {
      const n = readSync(fd, buf, off, size - off, off);
      if (n === 0) break;
      off += n;
    }
    closeSync(fd);
    bytes += off;
    const tree = parser.parse(buf.toString("utf8", 0, off));
    if (!tree) continue;
    // 3. Walk every node, reading its type, as any conversion must.
    const walk = walkOf(tree.rootNode);
    nodes += visitAll(walk, () => walk.typeId());
    walk.close();
    tree.delete();
  }
  if (listFile) writeFileSync(listFile, files.join("\n") + "\n");
  process.stdout.write(JSON.stringify({ entries, shellFiles: files.length, bytes, nodes }) + "\n");
}

void main();
