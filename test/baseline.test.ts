/** Baselines: counts per file and rule (ESLint's bulk-suppression shape); only new findings fail. */
import { describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { baselineOf, compareWithBaseline, pruneBaseline } from "../src/suppress/baseline.js";
import type { ScanResult } from "../src/scan.js";
import type { Finding } from "../src/types.js";
import { makeTree, removeTree, runCli } from "./helpers.js";

const HOOK = "etc/dhcp/dhclient-enter-hooks.d/nameservers";
const BOOT = "etc/rc.local";

function result(target: string, findings: Pick<Finding, "ruleId" | "path" | "line">[]): ScanResult {
  return {
    target,
    kind: "scripts",
    findings: findings.map((f) => ({ ruleName: "x", level: "error", message: "m", column: 1, endLine: f.line, endColumn: 2, ...f })),
    diagnostics: [],
    parse: { files: 0, filesWithErrors: 0, linesInErrors: 0, lines: 0 },
    scripts: [],
    sources: new Map(),
  } as unknown as ScanResult;
}

function put(root: string, rel: string, text: string): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text, { mode: 0o755 });
}

describe("baseline logic", () => {
  it("counts per file and rule; more findings than counted makes all of that file and rule new", () => {
    const old = [result("t", [{ ruleId: "ROR105", path: "a", line: 1 }, { ruleId: "ROR105", path: "a", line: 5 }, { ruleId: "ROR101", path: "b", line: 2 }])];
    const baseline = baselineOf(old);
    expect(baseline).toEqual({ a: { ROR105: { count: 2 } }, b: { ROR101: { count: 1 } } });

    const now = [result("t", [{ ruleId: "ROR105", path: "a", line: 3 }, { ruleId: "ROR101", path: "b", line: 2 }, { ruleId: "ROR101", path: "b", line: 9 }])];
    const cmp = compareWithBaseline(now, baseline);
    expect(now[0]!.findings.map((f) => [f.path, f.line, f.baselineState])).toEqual([
      ["a", 3, "unchanged"],
      ["b", 2, "new"],
      ["b", 9, "new"],
    ]);
    expect(cmp).toEqual({ new: 2, unchanged: 1, stale: 0 });
  });

  it("suppressed findings are neither counted nor compared; several targets get their own keys", () => {
    const r = result("rootfs-a", [{ ruleId: "ROR105", path: "a", line: 1 }]);
    r.findings.push({ ...r.findings[0]!, line: 2, suppressions: [{ kind: "inSource", justification: "x" }] });
    const b = result("rootfs-b", [{ ruleId: "ROR105", path: "a", line: 1 }]);
    expect(baselineOf([r, b])).toEqual({ "rootfs-a:a": { ROR105: { count: 1 } }, "rootfs-b:a": { ROR105: { count: 1 } } });
    compareWithBaseline([r], {});
    expect(r.findings.map((f) => f.baselineState)).toEqual(["new", undefined]);
  });

  it("pruning drops entries that match nothing and lowers counts", () => {
    const now = [result("t", [{ ruleId: "ROR105", path: "a", line: 1 }])];
    const baseline = { a: { ROR105: { count: 3 }, ROR101: { count: 1 } }, gone: { ROR103: { count: 1 } } };
    expect(compareWithBaseline(now, baseline).stale).toBe(2);
    expect(pruneBaseline(baseline, now)).toEqual({ baseline: { a: { ROR105: { count: 1 } } }, removed: 2 });
  });
});

describe("rorlint scan --baseline", () => {
  it("an old finding passes, a new one fails; JSON gives baselineState; stale entries are pruned", () => {
    const root = makeTree({ [BOOT]: "#!/bin/sh\necho x > /etc/motd\n" });
    const dir = makeTree({}, "rorlint-baseline-");
    const file = join(dir, "baseline.json");
    try {
      // Without a baseline: the finding fails the run.
      expect(runCli(["scan", root]).status).toBe(1);

      const w = runCli(["scan", root, "--baseline", file, "--write-baseline"]);
      expect(w.status).toBe(0);
      expect(w.stderr).toContain("wrote");
      expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ [BOOT]: { ROR105: { count: 1 } } });

      // The old finding passes: hidden in stylish, counted, "unchanged" in JSON.
      const old = runCli(["scan", root, "--baseline", file]);
      expect(old.status).toBe(0);
      expect(old.stdout).toMatch(/no problems found · 1 in the baseline/);
      const oldJson = JSON.parse(runCli(["scan", root, "--baseline", file, "-f", "json"]).stdout);
      expect(oldJson.findings.map((f: Finding) => [f.ruleId, f.baselineState])).toEqual([["ROR105", "unchanged"]]);

      // A new finding (another rule, another file) fails the run; the old one still passes.
      put(root, HOOK, "#!/bin/sh\nmv /run/r /etc/resolv.conf\n");
      const mixed = runCli(["scan", root, "--baseline", file, "-f", "json"]);
      expect(mixed.status).toBe(1);
      expect(JSON.parse(mixed.stdout).findings.map((f: Finding) => [f.path, f.ruleId, f.baselineState])).toEqual([
        [HOOK, "ROR103", "new"],
        [BOOT, "ROR105", "unchanged"],
      ]);
      const stylish = runCli(["scan", root, "--baseline", file]).stdout;
      expect(stylish).toContain("ROR103");
      expect(stylish).not.toContain("ROR105");
      expect(stylish).toMatch(/1 problem \(1 error\) · 1 in the baseline/);

      // A second finding of the baselined rule in the same file makes both new.
      put(root, BOOT, "#!/bin/sh\necho x > /etc/motd\necho y > /etc/issue\n");
      const more = JSON.parse(runCli(["scan", root, "--baseline", file, "-f", "json"]).stdout);
      expect(more.findings.filter((f: Finding) => f.ruleId === "ROR105").map((f: Finding) => f.baselineState)).toEqual(["new", "new"]);

      // Fix everything in etc/rc.local: the entry is stale, --prune-baseline drops it.
      put(root, BOOT, "#!/bin/sh\ntrue\n");
      const stale = runCli(["scan", root, "--baseline", file]);
      expect(stale.stderr).toContain("1 baseline entry no longer matches any finding; --prune-baseline drops them");
      const pruned = runCli(["scan", root, "--baseline", file, "--prune-baseline"]);
      expect(pruned.stderr).toContain("pruned 1 entry");
      expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({});
    } finally {
      removeTree(root);
      removeTree(dir);
    }
  });

  it("usage errors: a missing or malformed baseline file, --write-baseline without --baseline", () => {
    const root = makeTree({ [BOOT]: "#!/bin/sh\ntrue\n", "bad.json": '{"a": {"ROR105": {"count": "two"}}}' });
    try {
      const missing = runCli(["scan", root, "--baseline", join(root, "nope.json")]);
      expect(missing.status).toBe(2);
      expect(missing.stderr).toContain("create it with --write-baseline");
      const bad = runCli(["scan", root, "--baseline", join(root, "bad.json")]);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain("not a rorlint baseline");
      expect(runCli(["scan", root, "--write-baseline"]).status).toBe(2);
      expect(existsSync(join(root, "nope.json"))).toBe(false);
    } finally {
      removeTree(root);
    }
  });
});
