/**
 * The second step of `npm run build`: bundles what `tsc` compiled into
 * dist/src into dist/bundle, which `bin/rorlint.js` runs.
 *
 * A scan loads some ninety modules; as separate ES modules, Node resolves,
 * opens and reads each, one after another, and links them: some 60 ms of
 * every run before any work starts. Bundled:
 *
 * - The command line is one CommonJS script, `cli.cjs` (a command's own
 *   modules, as the GitHub upload's, are still evaluated only when it
 *   runs). A script, unlike an ES module on Node 20, can start from a V8
 *   code cache: the build runs it once on the sample to make one, then
 *   checks that V8 takes it (see `src/launch.ts`).
 * - The parse worker and the check worker are ES modules, with the code
 *   they share in chunks.
 *
 * Not bundled: web-tree-sitter and the grammar (loaded as files, by path),
 * piscina (starts workers from files). The tests run the TypeScript sources
 * and the unbundled build.
 *
 *   node dist/scripts/bundle.js
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type BuildOptions, type Plugin } from "esbuild";
import { parsingCode } from "../src/shell/cache.js";
import { codeSalt } from "../src/result-cache.js";
import { BUNDLE_MARK, codeCacheFile } from "../src/launch.js";

const dist = join(dirname(fileURLToPath(import.meta.url)), "..");
const from = join(dist, "src");
const to = join(dist, "bundle");

rmSync(to, { recursive: true, force: true });
// The caches' keys, as the modules bundled work them out (see src/built.ts).
const define = { "globalThis.RORLINT_CODE_DIGESTS": JSON.stringify({ parsing: parsingCode(), scanning: codeSalt() }) };
const common: BuildOptions = { bundle: true, platform: "node", target: "node20", external: ["web-tree-sitter", "tree-sitter-bash", "piscina"], sourcemap: true, logLevel: "warning" };

await build({
  ...common,
  entryPoints: ["shell/parse-worker.js", "engine/check-worker.js"].map((p) => join(from, p)),
  outbase: from,
  outdir: to,
  splitting: true,
  format: "esm",
  chunkNames: "chunks/[name]-[hash]",
  // The CommonJS packages among the dependencies call require(): ES module output has none of its own.
  banner: { js: 'import { createRequire as rorlintRequire } from "node:module"; const require = rorlintRequire(import.meta.url);' },
  define,
});

/**
 * commander loads node:child_process (and with it net, dgram and streams:
 * some 3 ms) as it is loaded, for commands run as separate programs, which
 * rorlint has none of: in the bundle it loads it when it spawns one.
 */
const lazyChildProcess: Plugin = {
  name: "lazy-child-process",
  setup(b) {
    b.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, (args) => {
      const eager = "const childProcess = require('node:child_process');";
      const text = readFileSync(args.path, "utf8");
      if (!text.includes(eager)) return { contents: text, loader: "js", warnings: [{ text: "commander no longer loads node:child_process as expected: left as it is" }] };
      return { contents: text.replace(eager, "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };"), loader: "js" };
    });
  },
};

/**
 * web-tree-sitter's CommonJS build for the command line's CommonJS bundle:
 * its ES module build loads node:module with a dynamic import, which a
 * script compiled with a code cache cannot make.
 */
const commonJsTreeSitter: Plugin = {
  name: "common-js-tree-sitter",
  setup(b) {
    b.onResolve({ filter: /^web-tree-sitter$/ }, () => ({ path: createRequire(import.meta.url).resolve("web-tree-sitter") }));
  },
};

const cli = join(to, "cli.cjs");
await build({
  ...common,
  entryPoints: [join(from, "cli.js")],
  outfile: cli,
  format: "cjs",
  // web-tree-sitter in the bundle too, so that the code cache holds it (its WebAssembly is handed over as bytes: see src/shell/parser.ts).
  external: ["tree-sitter-bash", "piscina"],
  // What the modules ask of import.meta.url, answered for the script (after the directive, which must come first).
  banner: { js: '"use strict";\nvar rorlintModuleUrl = require("node:url").pathToFileURL(__filename).href;' },
  define: { ...define, "import.meta.url": "rorlintModuleUrl" },
  plugins: [lazyChildProcess, commonJsTreeSitter],
});

// The digest that ties the code cache to this bundle, on its first line.
const body = readFileSync(cli, "utf8");
writeFileSync(cli, `${BUNDLE_MARK}${createHash("sha256").update(body).digest("hex").slice(0, 32)}\n${body}`);

// The code cache: one run on the sample, then a check that V8 takes what it wrote.
const project = join(dist, "..");
const bin = join(project, "bin", "rorlint.js");
const sample = ["scan", join(project, "corpora", "sample"), "--format", "json", "--exit-zero"];
const run = (mode: string) => spawnSync(process.execPath, [bin, ...sample], { cwd: project, encoding: "utf8", env: { ...process.env, RORLINT_CODE_CACHE: mode, RORLINT_WORKERS: "0" } });
const made = run("write");
const check = made.status === 0 ? run("report") : made;
if (check.status !== 0 || !check.stderr.includes("rorlint: code cache used")) {
  rmSync(codeCacheFile(cli), { force: true });
  process.stderr.write(`bundle: no code cache (the command line will compile at each start): ${check.stderr.trim() || `exit ${check.status}`}\n`);
}
