/**
 * The second step of `npm run build`: bundles what `tsc` compiled into
 * dist/src into dist/bundle, which `bin/rorlint.js` runs.
 *
 * A scan loads some ninety modules; as separate ES modules, Node resolves,
 * opens and reads each, one after another, and links them: some 60 ms of
 * every run before any work starts. Bundled, the command line, the parse
 * worker and the check worker are one file each, with the code they share
 * in chunks, and a command's modules (GitHub upload, status page) are loaded
 * only when it runs. Measured on the Debian 12 tree, 20 interleaved runs:
 * 0.465 s median against 0.500 s.
 *
 * Not bundled: web-tree-sitter and the grammar (loaded as files, by path),
 * piscina (starts workers from files). The tests run the TypeScript sources
 * and the unbundled build.
 *
 *   node dist/scripts/bundle.js
 */
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { parsingCode } from "../src/shell/cache.js";
import { codeSalt } from "../src/result-cache.js";

const dist = join(dirname(fileURLToPath(import.meta.url)), "..");
const from = join(dist, "src");
const to = join(dist, "bundle");

rmSync(to, { recursive: true, force: true });
await build({
  entryPoints: ["cli.js", "shell/parse-worker.js", "engine/check-worker.js"].map((p) => join(from, p)),
  outbase: from,
  outdir: to,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  chunkNames: "chunks/[name]-[hash]",
  external: ["web-tree-sitter", "tree-sitter-bash", "piscina"],
  // The CommonJS packages among the dependencies call require(): ES module output has none of its own.
  banner: { js: 'import { createRequire as rorlintRequire } from "node:module"; const require = rorlintRequire(import.meta.url);' },
  // The caches' keys, as the modules bundled work them out (see src/built.ts).
  define: { "globalThis.RORLINT_CODE_DIGESTS": JSON.stringify({ parsing: parsingCode(), scanning: codeSalt() }) },
  sourcemap: true,
  logLevel: "warning",
});
