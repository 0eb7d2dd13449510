/**
 * `rorlint report`: the per-target Markdown in the seed's style, status.md,
 * the site and the history, on the embedded sample (scanned) and on a
 * fabricated second target (saved JSON, --from-json). Then determinism (two
 * runs give the same bytes) and change detection (a later run after a
 * change shows it in the history, the trend and the "changed" column).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { runReport } from "../src/commands/report.js";
import { VERSION } from "../src/version.js";
import { renderMarkdown } from "../src/report/mdhtml.js";
import { ROOT, runCli } from "./helpers.js";

const work = mkdtempSync(join(tmpdir(), "rorlint-report-test-"));
const fabDir = join(work, "fab-json");

/** A fabricated scan of a target named "fab": the JSON format of `rorlint scan -f json`. */
function fabResult(findings: Record<string, unknown>[]) {
  return {
    tool: { name: "rorlint", version: VERSION },
    targets: [{ path: "fab/rootfs", kind: "rootfs", scripts: 2 }],
    findings,
    diagnostics: [],
    parse: { files: 2, filesWithErrors: 0, linesInErrors: 0, lines: 80 },
  };
}

const at = (path: string, line: number, extra: Record<string, unknown>) => ({ path, line, column: 1, endLine: line, endColumn: 20, ...extra });
const HWCLOCK = at("etc/init.d/hwclock.sh", 42, {
  ruleId: "ROR104",
  ruleName: "hwclock-write",
  level: "warning",
  message: "Writes the hardware clock and /etc/adjtime (hwclock --systohc) without the user asking for it. Make it opt-in through configuration.",
  role: "shutdown",
});
const URANDOM_BOOT = at("etc/init.d/urandom", 76, {
  ruleId: "ROR102",
  ruleName: "var-subdir-not-created",
  level: "warning",
  message: 'Writes into /var/lib/urandom, which is not created on every path before this write. /var may start empty; run "mkdir -p /var/lib/urandom" first.',
  role: "boot",
});
const URANDOM_STOP = { ...URANDOM_BOOT, line: 88, endLine: 88, role: "shutdown" };
const BRIGHTNESS = at("etc/init.d/brightness", 72, {
  ruleId: "ROR102",
  ruleName: "var-subdir-not-created",
  level: "warning",
  message: 'Writes into /var/lib/initscripts, which is not created on every path before this write. /var may start empty; run "mkdir -p /var/lib/initscripts" first.',
  role: "shutdown",
});
const DPKG = { path: "var/lib/dpkg/status", line: 1, column: 1, endLine: 1, endColumn: 1, ruleId: "ROR201", ruleName: "package-db-under-var", level: "warning", message: "/var/lib/dpkg should be in /usr. The dpkg database only changes when packages are installed or removed.", role: null };
const ETC_WRITE = at("etc/cron.daily/stamp", 3, {
  ruleId: "ROR105",
  ruleName: "runtime-write-to-etc",
  level: "error",
  message: "Writes /etc/stamp under /etc at runtime (>). /etc is read-only; keep runtime state in /run or /var and link to it from /etc.",
  role: "periodic",
});

function writeFab(findings: Record<string, unknown>[]): void {
  mkdirSync(fabDir, { recursive: true });
  writeFileSync(join(fabDir, "fab.json"), JSON.stringify(fabResult(findings), null, 2));
}

/** Every file below `dir`, by relative path, with its content. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p, "utf8"));
    }
  };
  walk(dir);
  return out;
}

/** The sample (scanned) and fab (saved JSON) into `out`, on `date`. */
async function runBoth(out: string, date: string): Promise<void> {
  expect(await runReport({ targets: "sample", out, date })).toBe(0);
  expect(await runReport({ fromJson: fabDir, out, date })).toBe(0);
}

const outA = join(work, "a");
const outB = join(work, "b");

beforeAll(async () => {
  writeFab([HWCLOCK, URANDOM_BOOT, URANDOM_STOP, BRIGHTNESS, DPKG]);
  await runBoth(outA, "2025-01-01");
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the per-target report", () => {
  it("has the seed's heading, date and version, and bullets with evidence and rule links", () => {
    const md = readFileSync(join(outA, "sample.md"), "utf8");
    const lines = md.split("\n");
    expect(lines[0]).toBe("# rorlint sample (hand-written) issues");
    expect(md).toContain(`Tested on 2025-01-01 with rorlint ${VERSION}:`);
    // The seed's Debian items, in plain words, with file:line and role, and the rule linked to its docs.
    expect(md).toMatch(/^- \/var\/lib\/dpkg should be in \/usr \(var\/lib\/dpkg\/status\) — \[ROR201\]\(\.\.\/rules\/ROR201-package-db-under-var\/docs\.md\),$/m);
    expect(md).toMatch(/^- boot scripts shouldn't touch the hardware clock without the user configuring them to do so \(etc\/init\.d\/hwclock\.sh:20, shutdown\) — \[ROR104\]\(\.\.\/rules\/ROR104-hwclock-write\/docs\.md\)[,.]$/m);
    expect(md).toMatch(/^- boot scripts shouldn't remount the root filesystem read-write unconditionally, but use the options from \/etc\/fstab \(etc\/rc\.sysinit:9, boot\)/m);
    // Every bullet ends like the seed's list: commas, and a full stop on the last.
    const bullets = lines.filter((l) => l.startsWith("- "));
    expect(bullets.length).toBeGreaterThan(5);
    expect(bullets.slice(0, -1).every((b) => b.endsWith(","))).toBe(true);
    expect(bullets[bullets.length - 1]!.endsWith(".")).toBe(true);
    // Every rule link points at a docs.md that exists.
    for (const m of md.matchAll(/\]\(\.\.\/(rules\/[^)]+\/docs\.md)\)/g)) expect(() => statSync(join(ROOT, m[1]!))).not.toThrow();
    // The writable-paths plan comes last.
    const sections = lines.filter((l) => l.startsWith("## "));
    expect(sections[sections.length - 1]).toBe("## Writable-paths plan");
    expect(md.slice(md.indexOf("## Writable-paths plan"))).toMatch(/\/etc\/mtab -> \.\.\/proc\/self\/mounts/);
  });

  it("groups the findings of one rule that say the same thing into one bullet", () => {
    const md = readFileSync(join(outA, "fab.md"), "utf8");
    expect(md.split("\n")[0]).toBe("# fab issues");
    const ror102 = md.split("\n").filter((l) => l.includes("[ROR102]"));
    expect(ror102).toHaveLength(1);
    expect(ror102[0]).toBe(
      "- boot scripts should create required directories in /var if they are not present: /var/lib/initscripts (etc/init.d/brightness:72, shutdown) and /var/lib/urandom (etc/init.d/urandom:76, boot; etc/init.d/urandom:88, shutdown) — [ROR102](../rules/ROR102-var-subdir-not-created/docs.md),",
    );
    expect(md).toContain("- boot scripts shouldn't touch the hardware clock without the user configuring them to do so (etc/init.d/hwclock.sh:42, shutdown) — [ROR104](../rules/ROR104-hwclock-write/docs.md),");
    // Saved results carry no tree: the plan says so instead of inventing one.
    expect(md).toMatch(/## Writable-paths plan\n\nNot available/);
  });

  it("writes status.md: the whole Status of Distributions section, one subsection per target", () => {
    const md = readFileSync(join(outA, "status.md"), "utf8");
    expect(md.startsWith("## Status of Distributions\n")).toBe(true);
    expect(md).toContain("### fab issues\n\nTested on 2025-01-01 with rorlint");
    expect(md).toContain("### rorlint sample (hand-written) issues\n\nTested on 2025-01-01 with rorlint");
    expect(md).toMatch(/^- \/var\/lib\/dpkg should be in \/usr/m);
    // Ready to paste elsewhere: absolute links to the rule pages.
    expect(md).toMatch(/\[ROR104\]\(https:\/\/[^)]+\/rules\/ROR104-hwclock-write\/docs\.md\)/);
  });

  it("writes the history entry: the JSON format plus date, target, excerpts and plan", () => {
    const e = JSON.parse(readFileSync(join(outA, "history", "2025-01-01-sample.json"), "utf8"));
    expect(e.tool).toEqual({ name: "rorlint", version: VERSION });
    expect(e.date).toBe("2025-01-01");
    expect(e.target).toBe("sample");
    expect(e.targets[0].path).toBe("corpora/sample");
    expect(e.findings.some((f: { ruleId: string; path: string; line: number }) => f.ruleId === "ROR104" && f.path === "etc/init.d/hwclock.sh" && f.line === 20)).toBe(true);
    const ex = e.excerpts["etc/init.d/hwclock.sh"] as { start: number; lines: string[] }[];
    expect(ex.some((w) => w.lines[20 - w.start]?.includes("--systohc"))).toBe(true);
    expect(e.plan.entries.length).toBeGreaterThan(0);
    // The site serves the same bytes as raw JSON.
    expect(readFileSync(join(outA, "site", "data", "sample.json"), "utf8")).toBe(readFileSync(join(outA, "history", "2025-01-01-sample.json"), "utf8"));
  });

  it("writes the site: the matrix, a page per target and per rule, self-contained", () => {
    const index = readFileSync(join(outA, "site", "index.html"), "utf8");
    expect(index).toContain('href="targets/sample.html#rule-ROR104"');
    expect(index).toContain('href="targets/fab.html#rule-ROR102"');
    expect(index).toMatch(/<svg class="trend"/);
    const page = readFileSync(join(outA, "site", "targets", "fab.html"), "utf8");
    expect(page).toContain('id="rule-ROR102"');
    const rule = readFileSync(join(outA, "site", "rules", "ROR104.html"), "utf8");
    expect(rule).toContain("<h3>Problematic code</h3>");
    expect(rule).toContain('href="../targets/fab.html#f');
    // No page loads anything from anywhere: no src= attributes, no stylesheet links, no remote url().
    for (const [path, text] of snapshot(join(outA, "site"))) {
      if (!path.endsWith(".html")) continue;
      expect(text, path).not.toMatch(/\ssrc=|<link\b|@import|url\(/i);
    }
  });
});

describe("determinism", () => {
  it("gives identical output for two runs on unchanged input", async () => {
    const before = snapshot(outA);
    await runBoth(outA, "2025-01-01");
    expect(snapshot(outA)).toEqual(before);
    // And from scratch in another directory: the same bytes.
    await runBoth(outB, "2025-01-01");
    expect(snapshot(outB)).toEqual(before);
  }, 120_000);

  it("differs only in dates when an unchanged corpus is run again on another day", async () => {
    const dir = join(work, "days");
    cpSync(outB, dir, { recursive: true });
    const md1 = readFileSync(join(dir, "sample.md"), "utf8");
    expect(await runReport({ targets: "sample", out: dir, date: "2025-01-02" })).toBe(0);
    const md2 = readFileSync(join(dir, "sample.md"), "utf8");
    expect(md2).toBe(md1.replaceAll("2025-01-01", "2025-01-02").replace("First run for this target.", "Since the run of 2025-01-01: 0 new, 0 fixed."));
    expect(md2).toContain("Since the run of 2025-01-01: 0 new, 0 fixed.");
    const summary = JSON.parse(readFileSync(join(dir, "site", "data", "summary.json"), "utf8"));
    const sample = summary.targets.find((t: { target: string }) => t.target === "sample");
    expect(sample.changed).toEqual({ since: "2025-01-01", new: 0, fixed: 0 });
    expect(readFileSync(join(dir, "site", "index.html"), "utf8")).toMatch(/<tr data-target="sample">[\s\S]*?<td class="changed"><span class="same"[^>]*>±0<\/span><\/td>/);
  }, 120_000);
});

describe("change detection", () => {
  it("shows a corpus change in the history, the trend and the changed column", async () => {
    // The next day: brightness's finding is fixed, a new write to /etc appears.
    writeFab([HWCLOCK, URANDOM_BOOT, URANDOM_STOP, DPKG, ETC_WRITE]);
    expect(await runReport({ fromJson: fabDir, out: outA, date: "2025-01-02" })).toBe(0);
    expect(readdirSync(join(outA, "history")).sort()).toEqual(["2025-01-01-fab.json", "2025-01-01-sample.json", "2025-01-02-fab.json"]);

    const summary = JSON.parse(readFileSync(join(outA, "site", "data", "summary.json"), "utf8"));
    const fab = summary.targets.find((t: { target: string }) => t.target === "fab");
    expect(fab.changed).toEqual({ since: "2025-01-01", new: 1, fixed: 1 });
    expect(fab.history).toEqual([
      { date: "2025-01-01", total: 5 },
      { date: "2025-01-02", total: 5 },
    ]);
    expect(fab.counts).toEqual({ ROR102: 2, ROR104: 1, ROR105: 1, ROR201: 1 });

    const index = readFileSync(join(outA, "site", "index.html"), "utf8");
    // The changed column: +1 new, −1 fixed for fab; the sample has had one run.
    expect(index).toMatch(/<tr data-target="fab">[\s\S]*?<td class="changed"><span class="up"[^>]*>\+1<\/span> <span class="down"[^>]*>−1<\/span><\/td>/);
    expect(index).toMatch(/<tr data-target="sample">[\s\S]*?<td class="changed"><span class="same" title="first run">—<\/span><\/td>/);
    // The trend: a line through fab's two runs, a point per run with its count.
    const fabSeries = /<g class="series" data-target="fab">([\s\S]*?)<\/g>/.exec(index)![1]!;
    expect(fabSeries).toContain("<polyline");
    expect(fabSeries).toContain("fab, 2025-01-01: 5 findings");
    expect(fabSeries).toContain("fab, 2025-01-02: 5 findings");
    const sampleSeries = /<g class="series" data-target="sample">([\s\S]*?)<\/g>/.exec(index)![1]!;
    expect(sampleSeries).not.toContain("<polyline");

    // The report and the target page say what changed.
    const md = readFileSync(join(outA, "fab.md"), "utf8");
    expect(md).toContain("Tested on 2025-01-02 with rorlint");
    expect(md).toContain("Since the run of 2025-01-01: 1 new, 1 fixed.");
    expect(md).toContain("boot scripts should create required directories in /var if they are not present: /var/lib/urandom (etc/init.d/urandom:76, boot; etc/init.d/urandom:88, shutdown) — [ROR102]");
    expect(md).toContain("periodic jobs shouldn't write to /etc during normal operation: /etc/stamp (etc/cron.daily/stamp:3, periodic) — [ROR105]");
    const page = readFileSync(join(outA, "site", "targets", "fab.html"), "utf8");
    expect(page).toMatch(/<h2 id="fixed">Fixed since 2025-01-01<\/h2><ul>\s*<li>[^\n]*etc\/init\.d\/brightness:72/);
    expect(page).toMatch(/<article class="finding" id="f\d+" data-rule="ROR105">\s*<header>.*<span class="badge new">new<\/span>/);
    expect(page).toContain('id="trend-target-title"');
  }, 120_000);
});

describe("the command line", () => {
  it("rejects a bad date and an unknown target with exit 2", () => {
    const bad = runCli(["report", "--targets", "sample", "--date", "2025-13-45", "--out", join(work, "x")]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--date must be YYYY-MM-DD");
    const unknown = runCli(["report", "--targets", "no-such-target", "--out", join(work, "x")]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown target no-such-target; known: .*sample/);
  });
});

describe("the Markdown renderer", () => {
  it("renders the subset docs.md uses, escaping everything else", () => {
    const html = renderMarkdown("# T\n\nSome `code <x>` and **bold** and *em*, see https://example.org/a.\n\n- one\n  more\n- [two](https://x.y/)\n\n```sh\nmv a > /etc/resolv.conf\n```\n\n<script>alert(1)</script>\n");
    expect(html).toBe(
      [
        "<h1>T</h1>",
        '<p>Some <code>code &lt;x&gt;</code> and <strong>bold</strong> and <em>em</em>, see <a href="https://example.org/a">https://example.org/a</a>.</p>',
        '<ul>\n<li>one more</li>\n<li><a href="https://x.y/">two</a></li>\n</ul>',
        '<pre><code class="language-sh">mv a &gt; /etc/resolv.conf</code></pre>',
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
      ].join("\n"),
    );
  });
});
