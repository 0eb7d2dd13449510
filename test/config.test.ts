/** Configuration files: discovery, validation (exit 2 with the file, key and expectation), and every setting. */
import { describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, findConfigFile, loadConfig } from "../src/config/load.js";
import { pathFilter } from "../src/config/apply.js";
import { closest } from "../src/config/suggest.js";
import { makeTree, removeTree, runCli, type TreeSpec } from "./helpers.js";

/** A directory of scripts (root filesystem rules do not run) that is its own repository, so discovery stops here. */
function project(files: TreeSpec): string {
  return makeTree({ ".git": { dir: true }, ...files });
}

const HOOK = "scripts/etc/dhcp/dhclient-enter-hooks.d/nameservers";
const BOOT = "scripts/etc/rc.local";

function withProject(files: TreeSpec, fn: (root: string) => void): void {
  const root = project(files);
  try {
    fn(root);
  } finally {
    removeTree(root);
  }
}

function json(args: string[]): { status: number | null; findings: { ruleId: string; level: string; path: string }[]; stderr: string } {
  const r = runCli([...args, "-f", "json"]);
  return { status: r.status, stderr: r.stderr, findings: r.stdout ? JSON.parse(r.stdout).findings : [] };
}

describe("validation", () => {
  it("a typo'd key: exit 2, the file, line and key, and the closest key", () => {
    withProject({ ".rorlint.yaml": "rules:\n  ROR105: warning\nexlude:\n  - usr/**\n", [BOOT]: "#!/bin/sh\ntrue\n" }, (root) => {
      const r = runCli(["scan", join(root, "scripts")]);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain(`${join(root, ".rorlint.yaml")}:3:1: exlude: unknown key; did you mean "exclude"?`);
      expect(r.stderr).toMatch(/Expected one of: rules, include, exclude, writable, failOn, maxWarnings/);
    });
  });

  it("bad values: every problem with its key path and what was expected", () => {
    const root = project({
      "bad.yaml": ["rules:", "  ROR101: warn", "  ROR999: off", "include: etc/**", "writable: [etc/ssh]", "failOn: warnings", "maxWarnings: -1", ""].join("\n"),
    });
    try {
      let err: unknown;
      try {
        loadConfig(join(root, "bad.yaml"));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      const text = (err as Error).message;
      expect(text).toContain('bad.yaml:2:11: rules.ROR101: "warn" is not allowed; did you mean "warning"? Expected one of: off, error, warning, note');
      expect(text).toMatch(/bad\.yaml:3:3: rules\.ROR999: no rule has this id or name/);
      expect(text).toMatch(/bad\.yaml:4:10: include: expected a list of globs/);
      expect(text).toContain('bad.yaml:5:12: writable[0]: expected an absolute path starting with "/" (got "etc/ssh")');
      expect(text).toContain('bad.yaml:6:9: failOn: "warnings" is not allowed; did you mean "warning"?');
      expect(text).toContain("bad.yaml:7:14: maxWarnings: expected a number of 0 or more (got -1)");
    } finally {
      removeTree(root);
    }
  });

  it("invalid YAML and JSON are named with their position; --config names a file that must exist", () => {
    withProject({ "a.yaml": "rules: [x\n", "b.json": '{"rules": {"ROR101": "off",}}', [BOOT]: "#!/bin/sh\n" }, (root) => {
      const a = runCli(["scan", join(root, "scripts"), "--config", join(root, "a.yaml")]);
      expect(a.status).toBe(2);
      expect(a.stderr).toMatch(/a\.yaml:\d+:\d+: invalid YAML/);
      const b = runCli(["scan", join(root, "scripts"), "--config", join(root, "b.json")]);
      expect(b.status).toBe(2);
      expect(b.stderr).toMatch(/b\.json: invalid JSON/);
      const c = runCli(["scan", join(root, "scripts"), "--config", join(root, "missing.yaml")]);
      expect(c.status).toBe(2);
      expect(c.stderr).toContain("missing.yaml: cannot read the configuration");
    });
  });

  it("suggests close names", () => {
    expect(closest("exlude", ["include", "exclude"])).toBe("exclude");
    expect(closest("failon", ["failOn", "maxWarnings"])).toBe("failOn");
    expect(closest("warn", ["off", "error", "warning", "note"])).toBe("warning");
    expect(closest("frobnicate", ["include", "exclude"])).toBeUndefined();
  });
});

describe("discovery", () => {
  it("is found upward from the scanned path, stops at a .git directory, and --config / --no-config choose", () => {
    const root = project({ ".rorlint.yml": "failOn: error\n", "a/b/x.sh": "#!/bin/sh\n", "inner/.git": { dir: true }, "inner/c/y.sh": "#!/bin/sh\n", "other.json": "{}" });
    try {
      expect(findConfigFile(join(root, "a", "b"))).toBe(join(root, ".rorlint.yml"));
      expect(findConfigFile(join(root, "a", "b", "x.sh"))).toBe(join(root, ".rorlint.yml"));
      expect(findConfigFile(join(root, "inner", "c"))).toBeNull();
    } finally {
      removeTree(root);
    }
  });

  it("refuses two configuration files in one directory", () => {
    const root = project({ ".rorlint.yaml": "{}\n", "rorlint.config.json": "{}" });
    try {
      expect(() => findConfigFile(root)).toThrow(/more than one configuration file/);
    } finally {
      removeTree(root);
    }
  });
});

describe("settings", () => {
  const mvHook = { [HOOK]: "#!/bin/sh\nmv /run/resolv.new /etc/resolv.conf\n" };

  it("rules: off drops a rule's findings (without handing the command to another rule), a level overrides", () => {
    withProject({ ...mvHook, [BOOT]: "#!/bin/sh\nmount -o remount,rw /\n" }, (root) => {
      const scripts = join(root, "scripts");
      expect(json(["scan", scripts]).findings.map((f) => [f.ruleId, f.level])).toEqual([
        ["ROR103", "error"],
        ["ROR101", "error"],
      ]);
      makeConfig(root, "rules:\n  replaces-resolv-conf: off\n  ROR101: note\n");
      const r = json(["scan", scripts]);
      expect(r.findings.map((f) => [f.ruleId, f.level])).toEqual([["ROR101", "note"]]);
      // --no-config: back to the defaults.
      expect(json(["scan", scripts, "--no-config"]).findings).toHaveLength(2);
    });
  });

  it("include and exclude (exclude wins), on paths relative to the scanned root", () => {
    withProject({ ...mvHook, [BOOT]: "#!/bin/sh\nmount -o remount,rw /\n", "scripts/etc/rc.local.d/x": "#!/bin/sh\n" }, (root) => {
      makeConfig(root, 'include: ["etc/**"]\nexclude: ["etc/dhcp/**"]\n');
      expect(json(["scan", join(root, "scripts")]).findings.map((f) => f.path)).toEqual(["etc/rc.local"]);
    });
    expect(pathFilter({ include: [], exclude: [] })).toBeUndefined();
    const f = pathFilter({ include: ["etc/**"], exclude: ["**/*.dpkg-old", "etc/skel/**"] })!;
    expect([f("etc/init.d/x"), f("etc/init.d/x.dpkg-old"), f("etc/skel/.profile"), f("usr/bin/x")]).toEqual([true, false, false, false]);
  });

  it("writable paths the product provides count as writable at runtime", () => {
    withProject({ [BOOT]: "#!/bin/sh\necho seed > /etc/ssh/ssh_host_seed\n" }, (root) => {
      expect(json(["scan", join(root, "scripts")]).findings.map((f) => f.ruleId)).toEqual(["ROR105"]);
      makeConfig(root, "writable: [/etc/ssh]\n");
      expect(json(["scan", join(root, "scripts")]).findings).toEqual([]);
    });
  });

  it("failOn and maxWarnings set the threshold; the command line wins", () => {
    withProject({ [BOOT]: "#!/bin/sh\nhwclock --systohc\n" }, (root) => {
      const scripts = join(root, "scripts");
      expect(runCli(["scan", scripts]).status).toBe(1); // a warning; default failOn: note
      makeConfig(root, "failOn: error\n");
      expect(runCli(["scan", scripts]).status).toBe(0);
      expect(runCli(["scan", scripts, "--fail-on", "warning"]).status).toBe(1);
      makeConfig(root, "failOn: error\nmaxWarnings: 0\n");
      expect(runCli(["scan", scripts]).status).toBe(1);
      expect(runCli(["scan", scripts, "--max-warnings", "1"]).status).toBe(0);
    });
  });

  it("a JSON configuration works the same", () => {
    withProject({ ...mvHook, "rorlint.config.json": '{ "rules": { "ROR103": "warning" } }' }, (root) => {
      expect(json(["scan", join(root, "scripts")]).findings.map((f) => [f.ruleId, f.level])).toEqual([["ROR103", "warning"]]);
    });
  });
});

/** Writes (or replaces) the project's .rorlint.yaml. */
function makeConfig(root: string, text: string): void {
  writeFileSync(join(root, ".rorlint.yaml"), text);
}
