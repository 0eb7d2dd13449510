/** The embedded sample: every seeded problem at its exact line, none of the traps. */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { scanPath } from "../src/scan.js";
import { RULES } from "../rules/index.js";
import { ROOT, runCli } from "./helpers.js";

interface Label {
  path: string;
  line: number;
  rule: string;
  reason: string;
}
const labels = JSON.parse(readFileSync(join(ROOT, "corpora", "sample.expected.json"), "utf8")) as { flag: Label[]; noflag: Label[] };
const implemented = new Set(RULES.map((r) => r.id));

describe("corpora/sample", async () => {
  const result = await scanPath(join(ROOT, "corpora", "sample"));
  const got = new Set(result.findings.map((f) => `${f.ruleId} ${f.path}:${f.line}`));

  it("reports every seeded problem of the implemented rules, and nothing else", () => {
    const want = labels.flag.filter((l) => implemented.has(l.rule)).map((l) => `${l.rule} ${l.path}:${l.line}`);
    expect([...got].sort()).toEqual(want.sort());
  });

  for (const trap of labels.noflag) {
    it(`stays quiet: ${trap.rule} ${trap.path}:${trap.line} (${trap.reason})`, () => {
      expect(got.has(`${trap.rule} ${trap.path}:${trap.line}`)).toBe(false);
    });
  }

  it("shows every implemented shell and filesystem rule firing", () => {
    const fired = new Set(result.findings.map((f) => f.ruleId));
    for (const id of implemented) expect(fired.has(id), id).toBe(true);
  });

  it("reports at the command word, with 1-based columns", () => {
    const f = result.findings.find((x) => x.ruleId === "ROR101")!;
    expect([f.line, f.column, f.endLine, f.endColumn]).toEqual([9, 1, 9, 30]);
  });

  it("is what `npm start` prints, and exits 1 because it has findings", () => {
    const r = runCli(["scan", "corpora/sample"]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("etc/rc.sysinit");
    expect(r.stdout).toContain("ROR101 remount-root-rw");
    expect(r.stdout).toMatch(/✖ \d+ problems/);
  });
});
