/**
 * The launcher (src/launch.ts) runs a CommonJS bundle with the code cache
 * the build made for it, and only that one: a cache of another build, or
 * one V8 refuses, leaves the bundle compiled as usual, with the same result.
 */
import { afterAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { pathToFileURL } from "node:url";
import { BUNDLE_MARK, bundleDigest, codeCacheFile } from "../src/launch.js";
import { ROOT, runCli } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "rorlint-launch-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LAUNCHER = pathToFileURL(join(ROOT, "dist", "src", "launch.js")).href;

function run(bundle: string, mode?: string) {
  const env: Record<string, string | undefined> = { ...process.env, RORLINT_CODE_CACHE: mode };
  if (mode === undefined) delete env.RORLINT_CODE_CACHE;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", `import { launch } from ${JSON.stringify(LAUNCHER)}; launch(${JSON.stringify(bundle)});`], { encoding: "utf8", env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A bundle whose output depends on its code: a function runs, so the cache holds its bytecode. */
function writeBundle(path: string, digest: string, factor: number): void {
  writeFileSync(path, `${BUNDLE_MARK}${digest}\n"use strict";\nfunction twice(x) { return x * ${factor}; }\nprocess.stdout.write(String(twice(21)) + " " + typeof require + " " + typeof module.exports);\n`);
}

describe("the launcher", () => {
  it("makes a code cache, then runs from it", () => {
    const bundle = join(dir, "made.cjs");
    writeBundle(bundle, "aaaa", 2);
    const made = run(bundle, "write");
    expect(made.stdout).toBe("42 function object");
    expect(readFileSync(codeCacheFile(bundle)).subarray(0, 5).toString("latin1")).toBe("aaaa\n");
    const used = run(bundle, "report");
    expect(used.stderr).toBe("rorlint: code cache used\n");
    expect(used.stdout).toBe("42 function object");
    expect(run(bundle).stdout).toBe("42 function object");
  });

  it("leaves alone a cache made for another build, though V8 would take it (same length)", () => {
    const bundle = join(dir, "rebuilt.cjs");
    writeBundle(bundle, "aaaa", 2);
    expect(run(bundle, "write").status).toBe(0);
    writeBundle(bundle, "bbbb", 3);
    const r = run(bundle, "report");
    expect(r.stderr).toBe("rorlint: code cache missing\n");
    expect(r.stdout).toBe("63 function object");
  });

  it("compiles as usual when V8 refuses the cache", () => {
    const bundle = join(dir, "damaged.cjs");
    writeBundle(bundle, "cccc", 2);
    writeFileSync(codeCacheFile(bundle), Buffer.concat([Buffer.from("cccc\n"), Buffer.alloc(4096, 7)]));
    const r = run(bundle, "report");
    expect(r.stderr).toBe("rorlint: code cache rejected\n");
    expect(r.stdout).toBe("42 function object");
  });

  it("says what is missing when there is no build", () => {
    const r = run(join(dir, "absent.cjs"));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("absent.cjs");
    expect(r.stderr).toContain("npm run build");
  });

  it("finds the digest on the first line only", () => {
    expect(bundleDigest(`${BUNDLE_MARK}abc\nrest`)).toBe("abc");
    expect(bundleDigest(`"use strict";\n${BUNDLE_MARK}abc\n`)).toBeNull();
  });

  it("runs the command line from the cache the build made, with the same output", () => {
    const bundle = join(ROOT, "dist", "bundle", "cli.cjs");
    expect(existsSync(codeCacheFile(bundle))).toBe(true);
    const args = ["scan", join(ROOT, "corpora", "sample"), "--format", "json", "--exit-zero"];
    const cached = runCli(args, { RORLINT_CODE_CACHE: "report" });
    const compiled = runCli(args, { RORLINT_CODE_CACHE: "off" });
    expect(cached.stderr).toBe("rorlint: code cache used\n");
    expect(cached.status).toBe(0);
    expect(cached.stdout).toBe(compiled.stdout);
    expect(JSON.parse(cached.stdout).findings.length).toBeGreaterThan(0);
  });
});
