/** The command line: exit codes, formats, atomic output files. */
import { describe, expect, it } from "vitest";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { makeTree, removeTree, runCli, SKELETON } from "./helpers.js";

describe("rorlint scan", () => {
  it("exits 0 on a clean tree and says so", () => {
    const root = makeTree({ ...SKELETON, "etc/rc.local": "#!/bin/sh\nmount -o remount /\n" });
    try {
      const r = runCli(["scan", root]);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(r.stdout).toContain("no problems found");
    } finally {
      removeTree(root);
    }
  });

  it("exits 2 with the path and reason when the path does not exist", () => {
    const r = runCli(["scan", "/nonexistent/rorlint-input"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("/nonexistent/rorlint-input");
    expect(r.stderr).toMatch(/ENOENT|no such file/i);
  });

  it("exits 2 on a usage error", () => {
    expect(runCli(["scan"]).status).toBe(2);
    expect(runCli(["scan", "--format", "xml", "corpora/sample"]).status).toBe(2);
    expect(runCli(["frobnicate"]).status).toBe(2);
  });

  it("scans a single file with --role, and writes JSON atomically to --output", () => {
    const dir = makeTree({ "hook.sh": "#!/bin/sh\nmv /tmp/new /etc/resolv.conf\n" });
    try {
      const out = join(dir, "report.json");
      const r = runCli(["scan", join(dir, "hook.sh"), "--role", "network-hook", "--format", "json", "--output", out]);
      expect(r.status).toBe(1);
      expect(r.stdout).toBe("");
      const json = JSON.parse(readFileSync(out, "utf8"));
      expect(json.tool.name).toBe("rorlint");
      expect(json.findings).toEqual([
        expect.objectContaining({ ruleId: "ROR103", path: "hook.sh", line: 2, column: 1, endLine: 2, endColumn: 29, role: "network-hook", level: "error" }),
      ]);
      // No temporary file is left beside the output.
      expect(readdirSync(dir).sort()).toEqual(["hook.sh", "report.json"]);
    } finally {
      removeTree(dir);
    }
  });

  it("JSON keeps the documented contract", () => {
    const r = runCli(["scan", "corpora/sample", "-f", "json"]);
    const json = JSON.parse(r.stdout);
    expect(Object.keys(json)).toEqual(["tool", "targets", "findings", "diagnostics", "parse"]);
    expect(json.tool.version).toMatch(/^\d+\.\d+\.\d+/);
    for (const f of json.findings) {
      expect(f.path.startsWith("/")).toBe(false);
      expect(f.line).toBeGreaterThanOrEqual(1);
      expect(f.column).toBeGreaterThanOrEqual(1);
      expect(Object.keys(f)).toEqual(expect.arrayContaining(["ruleId", "level", "message", "path", "line", "column", "endLine", "endColumn", "role"]));
    }
    expect(json.parse).toEqual(expect.objectContaining({ files: expect.any(Number), filesWithErrors: 0, linesInErrors: 0 }));
  });
});

describe("rorlint rules / explain", () => {
  it("lists every rule with id, name, level and summary", () => {
    const r = runCli(["rules"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ROR101 +remount-root-rw +error +\S/m);
    expect(r.stdout).toMatch(/^ROR202 +mtab-not-proc-symlink +error +\S/m);
  });

  it("explains a rule by id or name, and rejects an unknown one", () => {
    expect(runCli(["explain", "ROR103"]).stdout).toMatch(/^# ROR103 replaces-resolv-conf/);
    expect(runCli(["explain", "hwclock-write"]).stdout).toMatch(/^# ROR104 hwclock-write/);
    const bad = runCli(["explain", "ROR999"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("ROR999");
  });

  it("has no stray output files", () => {
    expect(existsSync(join(process.cwd(), "report.json"))).toBe(false);
  });
});

describe("npm start", () => {
  it("shows the sample's findings and succeeds (--exit-zero)", () => {
    const r = runCli(["scan", "corpora/sample", "--exit-zero"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("ROR101 remount-root-rw");
  });
});
