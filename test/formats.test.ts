/** Output formats (markdown, github, what json and stylish show of suppressions) and --quiet / --fail-on / --max-warnings. */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { escapeData, escapeProperty, formatGithub } from "../src/format/github.js";
import { escapeMarkdown, formatMarkdown } from "../src/format/markdown.js";
import type { ScanResult } from "../src/scan.js";
import type { Finding } from "../src/types.js";
import { makeTree, removeTree, runCli } from "./helpers.js";

const HOOK = "etc/dhcp/dhclient-enter-hooks.d/nameservers";
const BOOT = "etc/rc.local";

/** A directory of scripts with an error (ROR103), a warning (ROR104) and a suppressed error (ROR105). */
const tree = () =>
  makeTree({
    [HOOK]: "#!/bin/sh\nmv -f /run/resolv.new /etc/resolv.conf\n",
    [BOOT]: "#!/bin/sh\nhwclock --systohc\n# rorlint disable-next-line=ROR105 -- /etc/motd is a link into /run here\necho hi > /etc/motd\n",
  });

function fake(findings: Partial<Finding>[], target = "rootfs"): ScanResult {
  return {
    target,
    kind: "rootfs",
    findings: findings.map((f) => ({ ruleId: "ROR101", ruleName: "remount-root-rw", level: "error", message: "m", path: "etc/rc.sysinit", line: 9, column: 1, endLine: 9, endColumn: 30, ...f })),
    diagnostics: [],
    parse: { files: 1, filesWithErrors: 0, linesInErrors: 0, lines: 10 },
    scripts: [],
    sources: new Map(),
  } as unknown as ScanResult;
}

describe("github workflow commands", () => {
  it("escapes data and properties as GitHub requires", () => {
    expect(escapeData("100% done\r\nnext: a,b")).toBe("100%25 done%0D%0Anext: a,b");
    expect(escapeProperty("ROR101 a:b,c%\n")).toBe("ROR101 a%3Ab%2Cc%25%0A");
  });

  it("one command per finding to act on: level, file, lines, columns (inclusive end), title", () => {
    const out = formatGithub([
      fake([
        { message: "Remounts / read-write: 100%,\nreally" },
        { ruleId: "ROR204", ruleName: "root-not-mounted-ro", level: "note", path: "etc/fstab", line: 1, endLine: 1, column: 1, endColumn: 5, message: "note" },
        { ruleId: "ROR104", ruleName: "hwclock-write", level: "warning", line: 3, endLine: 4, column: 2, endColumn: 9, message: "w" },
        { line: 20, endLine: 20, suppressions: [{ kind: "inSource", justification: "x" }] },
        { line: 21, endLine: 21, baselineState: "unchanged" },
      ]),
    ]);
    const file = relative(process.cwd(), join("rootfs", "etc/rc.sysinit"));
    expect(out.split("\n")).toEqual([
      `::error file=${file},line=9,endLine=9,col=1,endColumn=29,title=ROR101 remount-root-rw::Remounts / read-write: 100%25,%0Areally`,
      `::notice file=${relative(process.cwd(), "rootfs/etc/fstab")},line=1,endLine=1,col=1,endColumn=4,title=ROR204 root-not-mounted-ro::note`,
      `::warning file=${file},line=3,endLine=4,title=ROR104 hwclock-write::w`,
      "",
    ]);
  });

  it("names files as they are on disk (absolute outside the current directory); leaves suppressed ones out", () => {
    const root = tree();
    try {
      const r = runCli(["scan", root, "-f", "github"]);
      expect(r.status).toBe(1);
      const rel = root; // the temporary tree is outside the directory the CLI runs in
      expect(r.stdout.split("\n").filter(Boolean)).toEqual([
        `::error file=${rel}/${HOOK},line=2,endLine=2,col=1,endColumn=38,title=ROR103 replaces-resolv-conf::${escapeData(r.stdout.split("::")[2]!.split("\n")[0]!)}`,
        expect.stringMatching(new RegExp(`^::warning file=${rel}/${BOOT},line=2,endLine=2,col=1,endColumn=17,title=ROR104 hwclock-write::`)),
      ]);
    } finally {
      removeTree(root);
    }
  });
});

describe("markdown report", () => {
  it("groups by rule, then file, links the rule docs, and counts what it hides", () => {
    const root = tree();
    try {
      const out = join(root, "..", `${root.split("/").pop()}.md`);
      const r = runCli(["scan", root, "-f", "markdown", "-o", out]);
      expect(r.status).toBe(1);
      const md = readFileSync(out, "utf8");
      removeTree(out);
      expect(md).toMatch(/^# rorlint report\n/);
      expect(md).toContain("**2 problems** (1 error, 1 warning) · 1 suppressed");
      const sections = [...md.matchAll(/^(##|###) (.+)$/gm)].map((m) => `${m[1]} ${m[2]}`);
      expect(sections).toEqual(["## ROR103 replaces-resolv-conf", `### \`${HOOK}\``, "## ROR104 hwclock-write", `### \`${BOOT}\``]);
      expect(md).toMatch(/\[documentation\]\(https:\/\/\S+\/blob\/main\/rules\/ROR103-replaces-resolv-conf\/docs\.md\)/);
      expect(md).toMatch(/^- \*\*2:1\*\* error: Replaces \/etc\/resolv\.conf/m);
      expect(md).not.toContain("ROR105");
    } finally {
      removeTree(root);
    }
  });

  it("escapes Markdown in messages; says when nothing was found", () => {
    expect(escapeMarkdown("a *b* `c` <d> [e](f) | g_h")).toBe("a \\*b\\* \\`c\\` \\<d\\> \\[e\\](f) \\| g\\_h");
    expect(formatMarkdown([fake([])])).toContain("**No problems found.**");
  });
});

describe("json", () => {
  it("keeps suppressed findings with their suppressions, and their fixes", () => {
    const root = tree();
    try {
      const json = JSON.parse(runCli(["scan", root, "-f", "json"]).stdout);
      expect(Object.keys(json)).toEqual(["tool", "targets", "findings", "diagnostics", "parse"]);
      const byRule = Object.fromEntries(json.findings.map((f: Finding) => [f.ruleId, f]));
      expect(byRule.ROR105.suppressions).toEqual([{ kind: "inSource", justification: "/etc/motd is a link into /run here", location: { path: BOOT, line: 3 } }]);
      expect(byRule.ROR103.suppressions).toBeUndefined();
      expect(byRule.ROR103.fix.replacements[0].text).toBe("cat /run/resolv.new > /etc/resolv.conf && rm -f /run/resolv.new");
    } finally {
      removeTree(root);
    }
  });
});

describe("--quiet, --fail-on, --max-warnings", () => {
  it("--quiet reports errors only, in every format, and only errors fail", () => {
    const root = tree();
    try {
      const q = runCli(["scan", root, "--quiet"]);
      expect(q.status).toBe(1);
      expect(q.stdout).toContain("ROR103");
      expect(q.stdout).not.toContain("ROR104");
      expect(q.stdout).toMatch(/1 problem \(1 error\)/);
      const json = JSON.parse(runCli(["scan", root, "-q", "-f", "json"]).stdout);
      expect(json.findings.map((f: Finding) => [f.ruleId, f.level, f.suppressions?.length ?? 0])).toEqual([
        ["ROR103", "error", 0],
        ["ROR105", "error", 1], // suppressed findings stay in JSON
      ]);

      const warningsOnly = makeTree({ [BOOT]: "#!/bin/sh\nhwclock --systohc\n" });
      try {
        expect(runCli(["scan", warningsOnly]).status).toBe(1);
        expect(runCli(["scan", warningsOnly, "-q"]).status).toBe(0);
        expect(runCli(["scan", warningsOnly, "-q", "--max-warnings", "0"]).status).toBe(1);
      } finally {
        removeTree(warningsOnly);
      }
    } finally {
      removeTree(root);
    }
  });

  it("--fail-on sets the lowest failing level; --max-warnings the number of warnings allowed", () => {
    const root = makeTree({ [BOOT]: "#!/bin/sh\nhwclock --systohc\n" });
    try {
      expect(runCli(["scan", root, "--fail-on", "error"]).status).toBe(0);
      expect(runCli(["scan", root, "--fail-on", "warning"]).status).toBe(1);
      expect(runCli(["scan", root, "--fail-on", "error", "--max-warnings", "0"]).status).toBe(1);
      expect(runCli(["scan", root, "--fail-on", "error", "--max-warnings", "1"]).status).toBe(0);
      expect(runCli(["scan", root, "--max-warnings", "many"]).status).toBe(2);
      expect(runCli(["scan", root, "--fail-on", "fatal"]).status).toBe(2);
    } finally {
      removeTree(root);
    }
  });
});
