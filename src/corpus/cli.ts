/**
 * `npm run corpus [NAME...] [--force] [--mirror URL]`: builds the real
 * distribution trees described in corpora/targets/ into the cache.
 *
 * Exit status: 0 when every requested target is built, 1 when some failed
 * (the others are still built), 2 for usage and setup errors.
 */
import { relative } from "node:path";
import { parseArgs } from "node:util";
import { BuildError, buildCorpus, cacheDir, checkBuildHost, corpusRoot, isBuilt, loadManifests } from "./build.js";
import type { Manifest } from "./build.js";
import { resolveMirror } from "./mirror.js";
import type { ResolvedMirror } from "./mirror.js";

const USAGE = `usage: npm run corpus -- [NAME...] [--force] [--mirror URL]

Builds the root filesystems described in corpora/targets/*.json with
debootstrap, into ${"$"}RORLINT_CACHE or .cache/corpora/<name>/rootfs.
With no NAME, builds every target. A target whose stamp matches its
manifest is left alone unless --force is given.

The mirror comes from --mirror, then RORLINT_MIRROR, then the machine's
apt sources (/etc/apt/sources.list and /etc/apt/sources.list.d/).`;

/** `path` relative to the working directory when it lies below it, else absolute. */
function shortPath(path: string): string {
  const shown = relative(process.cwd(), path);
  return shown === "" ? "." : shown.startsWith("..") ? path : shown;
}

function describeMirror(mirror: ResolvedMirror): string {
  if (mirror.origin === "option") return "--mirror";
  if (mirror.origin === "environment") return "RORLINT_MIRROR";
  return mirror.file ?? "apt sources";
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        force: { type: "boolean", default: false },
        mirror: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    process.stderr.write(`corpus: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  const manifests = await loadManifests();
  const known = new Map(manifests.map((manifest) => [manifest.name, manifest]));
  const unknown = parsed.positionals.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    process.stderr.write(`corpus: unknown target ${unknown.join(", ")}; known targets: ${[...known.keys()].join(", ")}\n`);
    return 2;
  }
  const requested: Manifest[] = parsed.positionals.length > 0 ? [...new Set(parsed.positionals)].map((name) => known.get(name)!) : manifests;

  const mirrors = new Map<string, ResolvedMirror>();
  const failed: string[] = [];
  let hostChecked = false;
  for (const [index, manifest] of requested.entries()) {
    const label = `[${index + 1}/${requested.length}] ${manifest.name}`;
    const where = shortPath(corpusRoot(manifest.name));
    if (!parsed.values.force && (await isBuilt(manifest.name))) {
      process.stdout.write(`${label}: up to date (${where})\n`);
      continue;
    }
    if (!hostChecked) {
      await checkBuildHost();
      hostChecked = true;
    }
    let mirror = mirrors.get(manifest.suite);
    if (mirror === undefined) {
      mirror = await resolveMirror({ suite: manifest.suite, option: parsed.values.mirror });
      mirrors.set(manifest.suite, mirror);
      process.stdout.write(`mirror for ${manifest.suite}: ${mirror.url} (from ${describeMirror(mirror)})\n`);
    }
    process.stdout.write(`${label}: building ${manifest.title}\n`);
    const started = performance.now();
    try {
      const result = await buildCorpus(manifest, {
        mirror: mirror.url,
        force: parsed.values.force,
        onProgress: (line) => process.stdout.write(`    ${line}\n`),
      });
      const verb = result.status === "built" ? "built" : "up to date (built meanwhile by another process)";
      process.stdout.write(`${label}: ${verb} in ${result.seconds.toFixed(1)} s (${where})\n`);
    } catch (error) {
      if (!(error instanceof BuildError)) throw error;
      failed.push(manifest.name);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      process.stdout.write(
        `${label}: FAILED after ${seconds} s: ${error.message}\n` +
          `    command: ${error.command}\n` +
          `    last lines of output (full log: ${shortPath(error.logFile)}):\n` +
          error.tail.map((line) => `      ${line}\n`).join(""),
      );
    }
  }

  if (failed.length > 0) {
    process.stdout.write(`${failed.length} of ${requested.length} targets failed: ${failed.join(", ")}\n`);
    return 1;
  }
  process.stdout.write(`all ${requested.length} targets ready in ${shortPath(cacheDir())}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Setup (no debootstrap, not root), configuration (bad manifest, no
    // mirror) and I/O errors all stop the run: exit 2.
    process.stderr.write(`corpus: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
