/**
 * `npm run bench -- --quick` runs on the embedded sample corpus and prints
 * every section, with its figures as JSON. Only that it runs is tested, not
 * the timings (they are the benchmark's output, for people to read).
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./helpers.js";

describe("npm run bench -- --quick", () => {
  it("runs on the sample corpus and prints every section", () => {
    const script = join(ROOT, "dist", "bench", "bench.js");
    if (!existsSync(script)) throw new Error("dist/ is missing: run `npm run build` first (`npm test` does)");
    const dir = mkdtempSync(join(tmpdir(), "rorlint-bench-test-"));
    try {
      const out = join(dir, "results.json");
      const r = spawnSync(process.execPath, [script, "--quick", "--out", out], { encoding: "utf8", cwd: ROOT, timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
      for (const section of ["== side by side", "== scaling", "== repeated scans", "== result cache"]) expect(r.stdout).toContain(section);
      expect(r.stdout).toMatch(/rorlint \/ floor: [\d.]+x/);
      expect(r.stdout).toMatch(/time linear in N/);
      expect(r.stdout).toMatch(/last vs third: -?[\d.]+%/);
      expect(r.stdout).toMatch(/warm \/ cold: [\d.]+/);
      const json = JSON.parse(readFileSync(out, "utf8")) as Record<string, unknown>;
      expect(Object.keys(json)).toEqual(expect.arrayContaining(["sideBySide", "ratios", "scaling", "repeated", "cache", "targets"]));
      // Figures to keep and compare: no paths of this machine in them.
      expect(readFileSync(out, "utf8")).not.toContain(ROOT);
      expect(readFileSync(out, "utf8")).not.toContain(tmpdir());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
