/**
 * The walk of syntax trees by direct calls into web-tree-sitter's binding
 * (src/shell/cursor.ts): it must give exactly what the cursor's own methods
 * give, and a binding that answers otherwise must not be used.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureCorpus } from "../src/corpus/build.js";
import { scanPath } from "../src/scan.js";
import { parseScript } from "../src/shell/parse.js";
import { withTree } from "../src/shell/parser.js";
import { bindingWalks, CHECK_SCRIPT, checkBinding, checkedBinding } from "../src/shell/cursor.js";
import { ROOT } from "./helpers.js";

/** Every file under `dir`. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    return d.isDirectory() ? filesUnder(p) : d.isFile() ? [p] : [];
  });
}

/** Texts the grammar reads badly or deeply: errors, heredocs, nesting, text that is not ASCII. */
const AWKWARD = [
  CHECK_SCRIPT,
  "if then fi (( $( `\n",
  "echo \"$(echo \"$(echo \"$(echo ü)\")\")\" > /etc/x\n",
  "cat <<'A' <<B\n$x\nA\n${y}\nB\nmount -o remount,rw /\n",
  "case $1 in\n  start) a ;;\n  *) esac\nfor do done\n",
  "x=(a b [3]=c); f() ( g || h ); ! { i; } | j &\n",
  "日本語=1\necho 𝄞 > /etc/z; [[ -w / && ! -e /x ]]\n",
  // Deep enough that the cursor's stack grows (and moves) during the walk.
  "( ".repeat(300) + "echo > /etc/deep" + " )".repeat(300) + "\n" + "x=$(".repeat(60) + "y" + ")".repeat(60) + "\n",
];

let texts: [string, string][] = [];

beforeAll(async () => {
  const sample = join(ROOT, "corpora", "sample");
  const fromSample = filesUnder(sample).filter((f) => statSync(f).size < 200_000).map((f) => [f.slice(sample.length), readFileSync(f, "latin1")] as [string, string]);
  // The shell files a scan of the Debian 12 tree reads (its scripts and the libraries they source).
  const debian = await scanPath(await ensureCorpus("debian-12-sysvinit"));
  texts = [...AWKWARD.map((t, i) => [`awkward ${i}`, t] as [string, string]), ...fromSample, ...[...debian.texts].map(([p, t]) => [`debian:${p}`, t] as [string, string])];
}, 900_000);

describe("walking trees through web-tree-sitter's binding", () => {
  it("is used: the binding of the web-tree-sitter in use passes its check", async () => {
    await withTree("true\n", () => null);
    expect(bindingWalks()).toBe(true);
  });

  it("gives the same syntax as the cursor's methods, on the sample, the Debian 12 tree's scripts and awkward text", async () => {
    expect(texts.length).toBeGreaterThan(60);
    try {
      for (const [name, text] of texts) {
        bindingWalks(false);
        const expected = await parseScript(text);
        bindingWalks(true);
        expect(await parseScript(text), name).toEqual(expected);
      }
    } finally {
      bindingWalks(true);
    }
  });

  it("is not used when a function is missing or answers otherwise, and then the cursor's methods give the syntax", async () => {
    await withTree("true\n", () => null);
    const real = checkedBinding()!;
    expect(real).not.toBeNull();
    const expected = await parseScript(CHECK_SCRIPT);
    const typeId = real._ts_tree_cursor_current_node_type_id_wasm as (tree: number) => number;
    const startIndex = real._ts_tree_cursor_start_index_wasm as (tree: number) => number;
    const wrong = [
      { ...real, _ts_tree_cursor_goto_parent_wasm: undefined },
      { ...real, _ts_tree_cursor_current_node_type_id_wasm: (tree: number) => typeId(tree) + 1 },
      { ...real, _ts_tree_cursor_start_index_wasm: (tree: number) => startIndex(tree) * 2 },
      { ...real, HEAP32: undefined },
    ];
    try {
      for (const [i, options] of wrong.entries()) {
        expect(await withTree(CHECK_SCRIPT, (root) => checkBinding(options, root)), `binding ${i}`).toBe(false);
        expect(bindingWalks(), `binding ${i}`).toBe(false);
        expect(await parseScript(CHECK_SCRIPT)).toEqual(expected);
      }
    } finally {
      expect(await withTree(CHECK_SCRIPT, (root) => checkBinding(real, root))).toBe(true);
    }
    expect(bindingWalks()).toBe(true);
  });
});
