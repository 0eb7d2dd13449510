/**
 * The terminal: colours (NO_COLOR, FORCE_COLOR, --color), and the progress
 * bar, which only ever appears on a terminal. The last tests run rorlint
 * under a pseudo-terminal (`script` from util-linux) on a real Debian tree.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ensureCorpus } from "../src/corpus/build.js";
import { colorEnabled } from "../src/color.js";
import { BIN, makeTree, removeTree, ROOT, runCli } from "./helpers.js";

const ESC = /\x1b\[/;
const BOOT = "etc/rc.local";

const withTree = (fn: (root: string) => void) => {
  const root = makeTree({ [BOOT]: "#!/bin/sh\nmount -o remount,rw /\nhwclock --systohc\n" });
  try {
    fn(root);
  } finally {
    removeTree(root);
  }
};

describe("colours", () => {
  it("NO_COLOR: no escape codes, even with FORCE_COLOR", () => {
    withTree((root) => {
      const r = runCli(["scan", root], { NO_COLOR: "1", FORCE_COLOR: "1" });
      expect(r.stdout).toContain("ROR101");
      expect(r.stdout).not.toMatch(ESC);
      expect(r.stderr).not.toMatch(ESC);
    });
  });

  it("FORCE_COLOR: escape codes on a pipe", () => {
    withTree((root) => {
      const r = runCli(["scan", root], { NO_COLOR: "", FORCE_COLOR: "1" });
      expect(r.stdout).toMatch(/\x1b\[31merror/); // red level
      expect(r.stdout).toMatch(/\x1b\[33mwarning/); // yellow level
    });
  });

  it("a pipe gets no colours by default; --color and --no-color decide over the environment", () => {
    withTree((root) => {
      expect(runCli(["scan", root], { NO_COLOR: "" }).stdout).not.toMatch(ESC);
      expect(runCli(["scan", root, "--color"], { NO_COLOR: "1" }).stdout).toMatch(ESC);
      expect(runCli(["scan", root, "--no-color"], { NO_COLOR: "", FORCE_COLOR: "1" }).stdout).not.toMatch(ESC);
      const out = join(root, "report.txt");
      runCli(["scan", root, "-o", out], { NO_COLOR: "" });
      expect(readFileSync(out, "utf8")).not.toMatch(ESC);
    });
  });

  it("decides from flag, NO_COLOR, FORCE_COLOR, then the terminal", () => {
    expect(colorEnabled(true, undefined, {})).toBe(true);
    expect(colorEnabled(true, undefined, { TERM: "dumb" })).toBe(false);
    expect(colorEnabled(false, undefined, {})).toBe(false);
    expect(colorEnabled(true, undefined, { NO_COLOR: "1" })).toBe(false);
    expect(colorEnabled(true, undefined, { NO_COLOR: "" })).toBe(true);
    expect(colorEnabled(false, undefined, { FORCE_COLOR: "1" })).toBe(true);
    expect(colorEnabled(true, undefined, { FORCE_COLOR: "0" })).toBe(false);
    expect(colorEnabled(false, true, { NO_COLOR: "1" })).toBe(true);
  });
});

describe("progress bar off a terminal", () => {
  it("never appears when stderr is not a terminal, even with --progress", () => {
    const r = runCli(["scan", "corpora/sample", "--progress"], { NO_COLOR: "", FORCE_COLOR: "1" });
    expect(r.stdout).toContain("problem");
    expect(r.stderr).toBe("");
  });
});

/** Runs rorlint under a pseudo-terminal; returns everything the terminal received. */
function underPty(args: string[], env: Record<string, string> = {}): { status: number | null; output: string } {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
  const childEnv: NodeJS.ProcessEnv = { ...process.env, TERM: "xterm-256color", COLUMNS: "120", LINES: "40" };
  delete childEnv.NO_COLOR;
  delete childEnv.FORCE_COLOR;
  Object.assign(childEnv, env);
  const r = spawnSync("script", ["-qec", command, "/dev/null"], { cwd: ROOT, env: childEnv, encoding: "utf8", timeout: 120_000 });
  return { status: r.status, output: r.stdout };
}

const hasScript = spawnSync("script", ["--version"]).status === 0;

describe.runIf(hasScript)("under a pseudo-terminal, on a real Debian tree", () => {
  let rootfs: string;
  beforeAll(async () => {
    rootfs = await ensureCorpus("debian-12-sysvinit");
  });

  it("shows the progress bar on stderr, then the coloured stylish report", () => {
    const { status, output } = underPty(["scan", "--progress", rootfs]);
    expect(status).toBe(1);
    // cli-progress draws the bar (then clears it before the report).
    expect(output).toMatch(/scanning rootfs \[[█░]+\] \d+\/\d+ files/);
    // The report is coloured: underlined file names, coloured levels, bold summary.
    expect(output).toMatch(/\x1b\[4m[^\x1b]+\x1b\[24m/);
    expect(output).toMatch(/\x1b\[3[13]m(error|warning)/);
    expect(output).toMatch(/\x1b\[1m✖ \d+ problems? \(/);
    const bar = output.search(/scanning rootfs/);
    const report = output.search(/\x1b\[1m✖/);
    expect(bar).toBeLessThan(report);
  });

  it("--quiet and --no-progress never show the bar", () => {
    expect(underPty(["scan", "--quiet", rootfs]).output).not.toContain("scanning");
    const off = underPty(["scan", "--no-progress", rootfs]);
    expect(off.output).not.toContain("scanning");
    expect(off.output).toMatch(/\x1b\[1m✖/);
  });

  it("NO_COLOR on a terminal: no colours", () => {
    const { output } = underPty(["scan", "--no-progress", "corpora/sample"], { NO_COLOR: "1" });
    expect(output).toContain("problem");
    expect(output).not.toMatch(/\x1b\[(1|4|3\d)m/);
  });
});
