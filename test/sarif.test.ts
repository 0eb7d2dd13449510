/**
 * `--format sarif`: the shape GitHub code scanning ingests, checked by
 * Microsoft's SARIF multitool with GitHub's rules (zero errors, zero
 * warnings) on the embedded sample, on a real Debian 12 tree and on a
 * small tree with the awkward cases (missing files, empty regions,
 * non-ASCII text, input diagnostics).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Log, Result } from "sarif";
import { scanPath, type ScanResult } from "../src/scan.js";
import { buildSarif, formatSarif, regionOf, SRCROOT } from "../src/format/sarif.js";
import { lineHash } from "../src/format/fingerprint.js";
import { ensureCorpus } from "../src/corpus/build.js";
import { RULES } from "../rules/index.js";
import { VERSION } from "../src/version.js";
import { makeTree, removeTree, ROOT, runCli, SKELETON } from "./helpers.js";
import { validateSarif } from "./sarif-validate.js";

const work = mkdtempSync(join(tmpdir(), "rorlint-sarif-test-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function expectValid(file: string): void {
  const v = validateSarif(file);
  expect(v.messages).toEqual([]);
  expect(v.errors).toBe(0);
  expect(v.warnings).toBe(0);
}

/** GitHub's requirements on a log, beyond what the multitool checks. */
function expectGitHubShape(log: Log, result: ScanResult | ScanResult[]): void {
  const results = Array.isArray(result) ? result : [result];
  expect(log.version).toBe("2.1.0");
  expect(log.$schema).toMatch(/sarif-schema-2\.1\.0\.json$/);
  expect(log.runs).toHaveLength(1);
  const run = log.runs[0]!;
  expect(run.automationDetails?.id).toMatch(/^rorlint\/.+\/$/);
  expect(run.columnKind).toBe("utf16CodeUnits");
  const driver = run.tool.driver;
  expect(driver.name).toBe("rorlint");
  expect(driver.semanticVersion).toBe(VERSION);
  expect(driver.informationUri).toMatch(/^https:\/\//);

  // Every rule, with everything GitHub shows.
  expect(driver.rules!.map((r) => r.id)).toEqual(RULES.map((r) => r.id));
  for (const [i, rule] of driver.rules!.entries()) {
    const meta = RULES[i]!;
    expect(rule.name).toBe(meta.name);
    expect(rule.shortDescription!.text.length).toBeGreaterThan(0);
    expect(rule.shortDescription!.text.length).toBeLessThanOrEqual(1024);
    expect(rule.fullDescription!.text.length).toBeGreaterThan(0);
    expect(rule.fullDescription!.text.length).toBeLessThanOrEqual(1024);
    expect(rule.help!.text).toContain(`# ${meta.id} ${meta.name}`);
    expect(rule.help!.markdown).toBe(readFileSync(join(ROOT, "rules", `${meta.id}-${meta.name}`, "docs.md"), "utf8"));
    expect(rule.helpUri).toMatch(new RegExp(`^https://.+/rules/${meta.id}-${meta.name}/docs\\.md$`));
    expect(rule.defaultConfiguration!.level).toBe(meta.level);
    const props = rule.properties as { tags: string[]; precision: string };
    expect(props.tags.length).toBeGreaterThan(0);
    expect(props.tags.length).toBeLessThanOrEqual(10);
    expect(["very-high", "high", "medium", "low"]).toContain(props.precision);
  }

  // Every finding, once, at one located place with a fingerprint.
  const findings = results.flatMap((r) => r.findings);
  expect(run.results).toHaveLength(findings.length);
  for (const [i, res] of run.results!.entries()) {
    const f = findings[i]!;
    expect(res.ruleId).toBe(f.ruleId);
    expect(driver.rules![res.ruleIndex!]!.id).toBe(f.ruleId);
    expect(res.level).toBe(f.level);
    expect(res.message.text).toBe(f.message);
    // The first sentence stands alone: it ends with a full stop before anything else follows.
    expect(res.message.text).toMatch(/^[^\n]+?[.!?](\s|$)/);
    expect(res.locations).toHaveLength(1);
    const loc = res.locations![0]!.physicalLocation!;
    expect(loc.artifactLocation!.uriBaseId).toBe(SRCROOT);
    expect(loc.artifactLocation!.uri).not.toMatch(/^\/|^[a-z]+:|(^|\/)\.\.(\/|$)/);
    expectGoodRegion(loc.region!);
    expect(loc.region!.startLine).toBe(Math.max(1, f.line));
    expect(res.partialFingerprints!["primaryLocationLineHash"]).toMatch(/^[0-9a-f]{1,16}:[1-9]\d*$/);
    for (const rel of res.relatedLocations ?? []) {
      expect(rel.id).toBeGreaterThan(0);
      expect(rel.message!.text!.length).toBeGreaterThan(0);
      expect(rel.physicalLocation!.artifactLocation!.uriBaseId).toBe(SRCROOT);
      expectGoodRegion(rel.physicalLocation!.region!);
    }
  }
}

/** Both columns or neither, and never an empty or inverted range. */
function expectGoodRegion(region: NonNullable<NonNullable<NonNullable<Result["locations"]>[number]["physicalLocation"]>["region"]>): void {
  expect(region.startLine).toBeGreaterThanOrEqual(1);
  expect(region.startColumn === undefined).toBe(region.endColumn === undefined);
  if (region.startColumn !== undefined) {
    expect(region.endLine).toBeGreaterThanOrEqual(region.startLine!);
    if (region.endLine === region.startLine) expect(region.endColumn!).toBeGreaterThan(region.startColumn);
  }
}

describe("SARIF for the embedded sample", () => {
  let result: ScanResult;
  let log: Log;
  const file = join(work, "sample.sarif");

  beforeAll(async () => {
    result = await scanPath(join(ROOT, "corpora", "sample"));
    log = buildSarif([result]);
  });

  it("is written by `rorlint scan -f sarif -o FILE`", () => {
    const r = runCli(["scan", "corpora/sample", "-f", "sarif", "-o", file]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(1);
    const fromCli = JSON.parse(readFileSync(file, "utf8")) as Log;
    expect(fromCli.runs[0]!.automationDetails!.id).toBe("rorlint/sample/");
    // The same results as in process (rule indices aside: the CLI runs the built copy).
    const gist = (l: Log) => l.runs[0]!.results!.map((r) => [r.ruleId, r.message.text, r.locations, r.partialFingerprints]);
    expect(gist(fromCli)).toEqual(gist(log));
  });

  it("passes Sarif.Multitool validate --rule-kind Gh;Sarif with no errors and no warnings", () => {
    expectValid(file);
  });

  it("has every rule and every finding in the form GitHub needs", () => {
    expectGitHubShape(log, result);
    expect(log.runs[0]!.results!.length).toBeGreaterThanOrEqual(8);
  });

  it("puts call chains in relatedLocations", () => {
    const res = log.runs[0]!.results!.find((r) => r.ruleId === "ROR103")!;
    expect(res.relatedLocations!.map((l) => [l.id, l.physicalLocation!.artifactLocation!.uri, l.physicalLocation!.region!.startLine, l.message!.text])).toEqual([
      [1, "sbin/dhclient-script", 25, "calls make_resolv_conf"],
      [2, "sbin/dhclient-script", 12, "the command itself"],
    ]);
  });

  it("points root filesystem findings at the whole line of the file that decides them", () => {
    const text = readFileSync(join(ROOT, "corpora", "sample", "var", "lib", "dpkg", "status"), "utf8");
    const res = log.runs[0]!.results!.find((r) => r.ruleId === "ROR201")!;
    const loc = res.locations![0]!.physicalLocation!;
    expect(loc.artifactLocation!.uri).toBe("var/lib/dpkg/status");
    expect(loc.region).toEqual({ startLine: 1, startColumn: 1, endLine: 1, endColumn: text.split("\n")[0]!.length + 1 });
    expect(res.partialFingerprints!["primaryLocationLineHash"]).toBe(lineHash(text, 1));
  });

  it("takes its category from --category, and keeps one run for several paths", () => {
    const c = JSON.parse(formatSarif([result], { category: "distro/bookworm" })) as Log;
    expect(c.runs[0]!.automationDetails!.id).toBe("distro/bookworm/");

    const two = [result, { ...result, target: join(ROOT, "corpora", "sample") }];
    const cwd = process.cwd();
    process.chdir(ROOT);
    try {
      const both = buildSarif([{ ...result, target: "corpora/sample" }, { ...result, target: "corpora/sample/" }]);
      expect(both.runs).toHaveLength(1);
      expect(both.runs[0]!.automationDetails!.id).toBe("rorlint/sample+sample/");
      expect(both.runs[0]!.results).toHaveLength(2 * result.findings.length);
      for (const r of both.runs[0]!.results!) expect(r.locations![0]!.physicalLocation!.artifactLocation!.uri).toMatch(/^corpora\/sample\//);
      expect(buildSarif(two).runs).toHaveLength(1);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe("SARIF regions", () => {
  const lines = ["#!/bin/sh", "", "mount -o remount,rw /"];
  it("keeps a real span as it is", () => {
    expect(regionOf({ line: 3, column: 1, endLine: 3, endColumn: 22 }, lines)).toEqual({ startLine: 3, startColumn: 1, endLine: 3, endColumn: 22 });
    expect(regionOf({ line: 1, column: 1, endLine: 3, endColumn: 1 }, lines)).toEqual({ startLine: 1, startColumn: 1, endLine: 3, endColumn: 1 });
  });
  it("widens an empty span to its whole line", () => {
    expect(regionOf({ line: 1, column: 1, endLine: 1, endColumn: 1 }, lines)).toEqual({ startLine: 1, startColumn: 1, endLine: 1, endColumn: 10 });
    expect(regionOf({ line: 3, column: 5, endLine: 3, endColumn: 2 }, ["a", "b", "c\r"])).toEqual({ startLine: 3, startColumn: 1, endLine: 3, endColumn: 2 });
  });
  it("gives the line only when the line is empty or the text unknown", () => {
    expect(regionOf({ line: 2, column: 1, endLine: 2, endColumn: 1 }, lines)).toEqual({ startLine: 2 });
    expect(regionOf({ line: 1, column: 1, endLine: 1, endColumn: 1 }, undefined)).toEqual({ startLine: 1 });
  });
});

describe("SARIF for awkward trees", () => {
  it("is valid with missing and binary files, non-ASCII text and input diagnostics", async () => {
    // /etc/mtab missing: ROR202 points at a file that does not exist.
    const { "etc/mtab": _mtab, ...skeleton } = SKELETON;
    const tree = makeTree({
      ...skeleton,
      "etc/init.d/clock": [
        "#!/bin/sh",
        "### BEGIN INIT INFO",
        "# Default-Start: S",
        "### END INIT INFO",
        ". /lib/lsb/init-functions-missing",
        "# Uhrzeit für die Hardware-Uhr 🕰️",
        'echo "état: prêt 🕰️" > /etc/clock.état',
        "",
      ].join("\n"),
      "etc/rcS.d/S01clock": { symlink: "../init.d/clock" },
      "var/lib/dpkg/status": "\0binary\0",
      "var/lib/dpkg/info/x.list": "",
    });
    try {
      const result = await scanPath(tree);
      const log = buildSarif([result], { category: "rorlint/awkward" });
      expect(result.findings.length).toBeGreaterThan(0);
      expectGitHubShape(log, result);
      const file = join(work, "awkward.sarif");
      writeFileSync(file, JSON.stringify(log));
      expectValid(file);
      // A write with non-ASCII text: columns count UTF-16 code units, as the finding does.
      const w = log.runs[0]!.results!.find((r) => r.locations![0]!.physicalLocation!.artifactLocation!.uri === "etc/init.d/clock" && r.ruleId === "ROR105");
      expect(w?.locations![0]!.physicalLocation!.region).toEqual({ startLine: 7, startColumn: 1, endLine: 7, endColumn: 'echo "état: prêt 🕰️" > /etc/clock.état'.length + 1 });
      // Input problems travel as tool notifications, not as alerts.
      const notes = log.runs[0]!.invocations![0]!.toolExecutionNotifications ?? [];
      expect(notes.some((n) => n.descriptor?.id === "source-missing")).toBe(true);
    } finally {
      removeTree(tree);
    }
  });
});

describe("SARIF for Debian 12 with sysvinit", () => {
  let result: ScanResult;
  beforeAll(async () => {
    result = await scanPath(await ensureCorpus("debian-12-sysvinit"));
  }, 900_000);

  it("passes Sarif.Multitool validate --rule-kind Gh;Sarif with no errors and no warnings", () => {
    const log = buildSarif([result], { category: "rorlint/debian-12-sysvinit" });
    expectGitHubShape(log, result);
    const file = join(work, "debian-12-sysvinit.sarif");
    writeFileSync(file, JSON.stringify(log, null, 2));
    expectValid(file);
    // The dpkg database finding names var/lib/dpkg/status, whose text the scan now keeps for the fingerprint.
    const db = log.runs[0]!.results!.find((r) => r.ruleId === "ROR201");
    expect(db?.locations![0]!.physicalLocation!.artifactLocation!.uri).toBe("var/lib/dpkg/status");
    expect(result.sources.has("var/lib/dpkg/status")).toBe(true);
  });
});
