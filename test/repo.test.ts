/**
 * Packaging-repository mode (`rorlint scan --repo DIR`) on the hand-written
 * fixtures in test/fixtures/repo/: a debian/ directory, a PKGBUILD with its
 * .install, an RPM .spec, an APKBUILD with OpenRC files, and systemd units.
 * Every finding is asserted at the line and column of the original file;
 * the traps next to them must stay silent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scanPath, type ScanResult } from "../src/scan.js";
import { openRepo } from "../src/repo/index.js";
import { MaskBuilder } from "../src/repo/text.js";
import { execLines, parseUnit } from "../src/repo/systemd.js";
import { parseSpec } from "../src/repo/rpm.js";
import { crontabCommands, logrotateScripts } from "../src/repo/crontab.js";
import { installPairs } from "../src/repo/install.js";
import { buildModel, parseScript, ScriptCache } from "../src/shell/program.js";
import { relative } from "../src/fs/view.js";
import { formatSarif } from "../src/format/sarif.js";
import { validateSarif } from "./sarif-validate.js";
import { makeTree, removeTree, ROOT, runCli } from "./helpers.js";

const FIXTURES = join(ROOT, "test", "fixtures", "repo");

/** "ROR105 path:line:column role" for every finding. */
const gist = (r: ScanResult) => r.findings.map((f) => `${f.ruleId} ${f.path}:${f.line}:${f.column} ${f.role}`);

function lineOf(dir: string, path: string, line: number): string {
  return readFileSync(join(FIXTURES, dir, path), "utf8").split("\n")[line - 1]!;
}

/** 1-based column of `snippet` on a line of a fixture (to document the numbers asserted). */
function columnOf(dir: string, path: string, line: number, snippet: string): number {
  const i = lineOf(dir, path, line).indexOf(snippet);
  if (i < 0) throw new Error(`${snippet} not on ${path}:${line}`);
  return i + 1;
}

describe("a debian/ directory", () => {
  let r: ScanResult;
  beforeAll(async () => {
    r = await scanPath(join(FIXTURES, "deb"), { repo: true });
  });

  it("is a repo target whose scripts carry the roles of their file kinds", () => {
    expect(r.kind).toBe("repo");
    const roles = Object.fromEntries(r.scripts.map((s) => [`${s.path}${s.line ? `:${s.line}` : ""}`, s.roles.sort().join(",")]));
    expect(roles).toEqual({
      "debian/foo-helper": "boot", // run by ExecStartPost= of the enabled foo.service
      "debian/foo-utils.dhclient-exit-hook": "network-hook",
      "debian/foo.cron.d:5": "periodic",
      "debian/foo.cron.d:6": "boot", // @reboot
      "debian/foo.if-up": "network-hook",
      "debian/foo.init": "boot,shutdown",
      "debian/foo.postinst": "maintainer",
      "debian/foo.service:6": "boot",
      "debian/foo.service:9": "shutdown",
    });
  });

  it("reports exactly the findings placed by hand, at the original lines and columns", () => {
    expect(gist(r)).toEqual([
      "ROR102 debian/foo-helper:3:1 boot",
      `ROR105 debian/foo.cron.d:5:${columnOf("deb", "debian/foo.cron.d", 5, "/usr/sbin/foo --refresh")} periodic`,
      "ROR105 debian/foo.if-up:4:1 network-hook",
      "ROR102 debian/foo.init:18:5 boot",
      "ROR105 debian/foo.init:24:5 shutdown",
      `ROR105 debian/foo.service:6:${columnOf("deb", "debian/foo.service", 6, 'echo "$FOO_OPTS"')} boot`,
    ]);
    // The same numbers, counted by hand.
    expect(gist(r)[1]).toBe("ROR105 debian/foo.cron.d:5:45 periodic");
    expect(gist(r)[5]).toBe("ROR105 debian/foo.service:6:47 boot");
    const f = r.findings.find((x) => x.path === "debian/foo.service")!;
    // The command ends where the quoted -c argument does: at the closing quote (exclusive end).
    expect([f.endLine, f.endColumn]).toEqual([6, lineOf("deb", "debian/foo.service", 6).lastIndexOf("'") + 1]);
  });

  it("reads /etc/default/foo from debian/foo.default: the clock write is the user's choice there", () => {
    // foo.init line 22 and foo.service's ExecStop= (EnvironmentFile=) both run hwclock under $SAVE_CLOCK.
    expect(r.findings.filter((f) => f.ruleId === "ROR104")).toEqual([]);
  });

  it("counts debian/foo.tmpfiles as creating /var/lib/foo", () => {
    expect(r.findings.some((f) => f.path === "debian/foo.init" && f.line === 17)).toBe(false);
  });

  it("does not flag maintainer scripts, debian/rules, a hook that writes /run, or a udeb's files", () => {
    const paths = new Set(r.findings.map((f) => f.path));
    expect(paths.has("debian/foo.postinst")).toBe(false);
    expect(paths.has("debian/rules")).toBe(false);
    expect(paths.has("debian/foo-utils.dhclient-exit-hook")).toBe(false);
    expect(r.scripts.some((s) => s.path === "debian/foo-udeb-helper")).toBe(false);
    expect(r.scripts.some((s) => s.path === "debian/rules")).toBe(false);
    // The init script's /lib/lsb/init-functions comes from another package: no note about it.
    expect(r.diagnostics).toEqual([]);
  });

  it("keeps the code frame text of the original file", () => {
    expect(r.sources.get("debian/foo.service")).toBe(readFileSync(join(FIXTURES, "deb", "debian", "foo.service"), "utf8"));
  });
});

describe("Arch: PKGBUILD and its .install", () => {
  let r: ScanResult;
  beforeAll(async () => {
    r = await scanPath(join(FIXTURES, "arch"), { repo: true });
  });

  it("places the cron script where package() installs it and finds its /etc write", () => {
    expect(r.scripts.find((s) => s.path === "foo-clean.sh")?.roles).toEqual(["periodic"]);
    expect(gist(r)).toEqual([`ROR105 foo-clean.sh:5:${columnOf("arch", "foo-clean.sh", 5, "sed -i")} periodic`]);
    expect(gist(r)[0]).toBe("ROR105 foo-clean.sh:5:5 periodic");
  });

  it("reads each pacman function as a maintainer scriptlet and PKGBUILD as build-time code", () => {
    const entries = r.scripts.map((s) => `${s.path}${s.line ? `:${s.line}` : ""} ${s.roles.join(",")} ${s.kind}`);
    expect(entries).toEqual([
      "PKGBUILD other Arch PKGBUILD (build-time)",
      "foo-clean.sh periodic installed at /etc/cron.daily/foo-clean (PKGBUILD package())",
      "foo.install:1 maintainer pacman post_install()",
      "foo.install:6 maintainer pacman post_upgrade()",
      "foo.install:10 maintainer pacman pre_remove()",
    ]);
  });

  it("keeps the .install's commands at their lines: post_upgrade calls post_install, which stays defined", async () => {
    const [root] = await openRepo(join(FIXTURES, "arch"));
    const s = root!.scripts.find((x) => x.kind === "pacman post_upgrade()")!;
    const model = await buildModel(s.path, await parseScript(s.text), s.text.split("\n").length, new ScriptCache(root!.view));
    const top = model.commands.filter((c) => c.func === null).map((c) => `${c.name}@${c.span.line}:${c.span.column}`);
    expect(top).toEqual(["post_install@7:3"]);
    expect(model.functions.has("post_install")).toBe(true);
  });
});

describe("RPM .spec scriptlets", () => {
  let r: ScanResult;
  beforeAll(async () => {
    r = await scanPath(join(FIXTURES, "rpm"), { repo: true });
  });

  it("finds %pre, %post and %preun, and notes the scriptlets that are not shell", () => {
    expect(r.scripts.filter((s) => s.path === "foo.spec").map((s) => `${s.kind}@${s.line} ${s.roles.join(",")}`)).toEqual([
      "rpm %pre scriptlet@18 maintainer",
      "rpm %post scriptlet@22 maintainer",
      "rpm %preun scriptlet@28 maintainer",
    ]);
    expect(r.diagnostics.map((d) => `${d.code} ${d.path}:${d.line}`)).toEqual(["scriptlet-not-shell foo.spec:31", "scriptlet-not-shell foo.spec:33"]);
    expect(r.diagnostics[1]!.message).toMatch(/Lua/);
  });

  it("follows %install: Source1 is the hourly cron job, Source2 its /etc/sysconfig file", () => {
    expect(r.scripts.find((s) => s.path === "foo.cron")?.kind).toBe("installed at /etc/cron.hourly/foo (foo.spec %install)");
    expect(gist(r)).toEqual([`ROR105 foo.cron:5:${columnOf("rpm", "foo.cron", 5, "tee")} periodic`]);
    expect(gist(r)[0]).toBe("ROR105 foo.cron:5:14 periodic");
  });

  it("maps scriptlet commands back through macros that change lengths", async () => {
    const [root] = await openRepo(join(FIXTURES, "rpm"));
    const s = root!.scripts.find((x) => x.kind === "rpm %post scriptlet")!;
    const model = await buildModel(s.path, await parseScript(s.text), s.text.split("\n").length, new ScriptCache(root!.view));
    const echo = model.commands.find((c) => c.name === "echo")!;
    expect(echo.redirects[0]!.target!.value).toBe("/etc/foo.conf"); // %{_sysconfdir}/%{name}.conf
    const touch = model.commands.find((c) => c.name === "touch")!;
    expect(touch.args[0]!.value).toBe("/var/lib/foo/installed"); // %{_localstatedir}/lib/foo/installed
    // In the masked text `touch` moved left (%{_localstatedir} became /var); remapped, it is where the spec has it.
    const [f] = root!.remap([{ ruleId: "X", ruleName: "x", level: "note", message: "m", path: relative(touch.file), ...touch.span }]);
    expect(f).toMatchObject({ path: "foo.spec", line: 26, column: columnOf("rpm", "foo.spec", 26, "touch"), endLine: 26, endColumn: readFileSync(join(FIXTURES, "rpm", "foo.spec"), "utf8").split("\n")[25]!.length + 1 });
    expect(touch.span.column).toBeLessThan(f!.column);
  });
});

describe("Alpine: APKBUILD, install scripts and OpenRC", () => {
  let r: ScanResult;
  beforeAll(async () => {
    r = await scanPath(join(FIXTURES, "alpine"), { repo: true });
  });

  it("finds the /etc write in start_pre() and nothing in the install scripts", () => {
    expect(gist(r)).toEqual([`ROR105 foo.initd:12:${columnOf("alpine", "foo.initd", 12, "echo")} boot`]);
    expect(gist(r)[0]).toBe("ROR105 foo.initd:12:2 boot");
    const roles = Object.fromEntries(r.scripts.map((s) => [s.path, s.roles.sort().join(",")]));
    expect(roles).toEqual({ APKBUILD: "other", "foo.initd": "boot,shutdown", "foo.post-install": "maintainer", "foo.pre-install": "maintainer" });
  });

  it("reads /etc/conf.d/foo from foo.confd: the clock write in stop() is the user's choice", () => {
    expect(r.findings.filter((f) => f.ruleId === "ROR104")).toEqual([]);
  });
});

describe("systemd units with sh -c", () => {
  let r: ScanResult;
  beforeAll(async () => {
    r = await scanPath(join(FIXTURES, "systemd"), { repo: true });
  });

  it("reports at the columns of the original lines, through quotes, \\\" escapes, $$ and %%", () => {
    const at = (line: number, s: string) => columnOf("systemd", "foo-setup.service", line, s);
    expect(gist(r)).toEqual([
      `ROR105 foo-report.service:6:${columnOf("systemd", "foo-report.service", 6, "foo --report")} periodic`,
      `ROR102 foo-setup.service:10:${at(10, "echo")} boot`,
      `ROR103 foo-setup.service:10:${at(10, "ln -sf")} boot`,
      `ROR105 foo-setup.service:11:${at(11, "printf")} shutdown`,
    ]);
    expect(gist(r)).toEqual(["ROR105 foo-report.service:6:23 periodic", "ROR102 foo-setup.service:10:25 boot", "ROR103 foo-setup.service:10:66 boot", "ROR105 foo-setup.service:11:24 shutdown"]);
    // End columns too: the ln command ends before the closing quote; the printf one too, after "%%s".
    const ln = r.findings.find((f) => f.ruleId === "ROR103")!;
    expect([ln.endLine, ln.endColumn]).toEqual([10, lineOf("systemd", "foo-setup.service", 10).lastIndexOf('"') + 1]);
    expect(ln.endColumn).toBe(110);
    const printf = r.findings.find((f) => f.ruleId === "ROR105" && f.path === "foo-setup.service")!;
    expect([printf.endLine, printf.endColumn]).toEqual([11, 65]);
  });

  it("gives roles from [Install] and timers; a unit nothing starts is not checked", () => {
    const roles = r.scripts.map((s) => `${s.path}:${s.line} ${s.roles.join(",")}`);
    expect(roles).toEqual([
      "foo-debug.service:5 other",
      // A template timer is only enabled as an instance, by hand: installing the package starts nothing.
      "foo-probe@.service:6 other",
      "foo-report.service:6 periodic",
      "foo-setup.service:8 boot",
      "foo-setup.service:10 boot",
      "foo-setup.service:11 shutdown",
    ]);
  });

  it("knows StateDirectory= creates /var/lib/foo, across a continuation line", () => {
    expect(r.findings.some((f) => f.line === 9)).toBe(false);
  });
});

describe("the whole fixture tree as one repository", () => {
  it("gives every packaging its own virtual root where two install the same path", async () => {
    const all = await scanPath(FIXTURES, { repo: true });
    const parts = await Promise.all(["alpine", "arch", "deb", "rpm", "systemd"].map((d) => scanPath(join(FIXTURES, d), { repo: true })));
    const prefixed = parts.flatMap((p, i) => gist(p).map((g) => g.replace(" ", ` ${["alpine", "arch", "deb", "rpm", "systemd"][i]}/`)));
    expect(gist(all)).toEqual(prefixed.sort((a, b) => {
      const pa = a.split(" ")[1]!.split(":");
      const pb = b.split(" ")[1]!.split(":");
      return pa[0]! < pb[0]! ? -1 : pa[0]! > pb[0]! ? 1 : Number(pa[1]) - Number(pb[1]) || Number(pa[2]) - Number(pb[2]);
    }));
    // debian/foo.init and foo.initd both install /etc/init.d/foo: two roots, so no collision note.
    expect(all.diagnostics.filter((d) => d.code === "install-path-taken")).toEqual([]);
  });

  it("writes SARIF that passes Sarif.Multitool validate --rule-kind Gh;Sarif with no errors and no warnings", async () => {
    const work = mkdtempSync(join(tmpdir(), "rorlint-repo-sarif-"));
    try {
      const all = await scanPath(FIXTURES, { repo: true });
      const file = join(work, "repo.sarif");
      writeFileSync(file, formatSarif([all], {}));
      const log = JSON.parse(readFileSync(file, "utf8")) as { runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }[] }[] }[] };
      const uris = log.runs[0]!.results.map((x) => `${x.locations[0]!.physicalLocation.artifactLocation.uri}:${x.locations[0]!.physicalLocation.region.startLine}:${x.locations[0]!.physicalLocation.region.startColumn}`);
      expect(uris).toContain("systemd/foo-setup.service:10:66");
      expect(uris).toContain("deb/debian/foo.init:24:5");
      const v = validateSarif(file);
      expect(v.messages).toEqual([]);
      expect(v.errors).toBe(0);
      expect(v.warnings).toBe(0);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 120_000);
});

describe("masking", () => {
  it("keeps lines and columns, and maps shifted columns back", () => {
    const original = "a='x \\\"y\\\" z'\nbb\n";
    const b = new MaskBuilder(original);
    b.mask(3).copy(5).replace(7, '"').copy(8).replace(10, '"').copy(12);
    const m = b.finish();
    expect(m.text.split("\n")).toHaveLength(original.split("\n").length);
    expect(m.text.split("\n")[0]).toBe('   x "y" z ');
    // "z" is at virtual column 10 and original column 12.
    expect(m.map!.column(1, 10)).toBe(12);
    expect(m.map!.column(2, 1)).toBe(1);
  });

  it("splits systemd command lines like systemd, continuation lines included", () => {
    const text = "[Service]\nExecStart=-/usr/bin/env bash -euc 'echo \\'a b\\' > /run/x; \\\n  touch /etc/y'\nExecStop=/bin/sh /usr/lib/foo/stop arg\n";
    const { shells, programs } = execLines(text, parseUnit(text), { name: "foo.service" });
    expect(programs).toEqual([
      { key: "ExecStart", line: 2, path: "/usr/bin/env" },
      { key: "ExecStop", line: 4, path: "/usr/lib/foo/stop" },
    ]);
    // `env bash` is not a shell invocation we can see through: listed as a program.
    expect(shells).toEqual([]);
    const direct = "[Service]\nExecStart=/bin/bash -euc 'echo \\'a b\\' > /run/x; \\\n  touch /etc/y'\n";
    const [s] = execLines(direct, parseUnit(direct), { name: "foo.service" }).shells;
    const lines = s!.masked.text.split("\n");
    expect(lines[1]).toBe(" ".repeat("ExecStart=/bin/bash -euc '".length) + "echo 'a b' > /run/x; \\");
    expect(lines[2]).toBe("  touch /etc/y ");
    // "> /run/x" sits two columns left of where it is written (two \' escapes before it).
    expect(s!.masked.map!.column(2, lines[1]!.indexOf(">") + 1)).toBe(direct.split("\n")[1]!.indexOf(">") + 1);
  });

  it("expands systemd specifiers and keeps unknown ones unknown", () => {
    const text = "[Service]\nExecStart=/bin/sh -c 'echo %n > %t/%p.state; echo %H > /etc/host-%i'\n";
    const [s] = execLines(text, parseUnit(text), { name: "foo@.service" }).shells;
    expect(s!.masked.text.split("\n")[1]!.trim()).toBe("echo ${_} > /run/foo.state; echo ${_} > /etc/host-${_}");
  });

  it("reads crontab lines as separate scripts with the table's variables, up to an unescaped %", () => {
    const text = "SHELL=/bin/sh\n0 1 * * * root date +\\%s > /run/t % input\n@reboot root touch /etc/x\n";
    const jobs = crontabCommands(text);
    expect(jobs.map((j) => [j.line, j.role])).toEqual([
      [2, "periodic"],
      [3, "boot"],
    ]);
    expect(jobs[0]!.masked.text.split("\n")).toEqual(["SHELL=/bin/sh", " ".repeat(15) + "date +\\%s > /run/t " + " ".repeat(7), " ".repeat(25), ""]);
  });

  it("reads logrotate scripts up to endscript", () => {
    const text = "/var/log/foo.log {\n  postrotate\n    kill -HUP $(cat /run/foo.pid)\n  endscript\n}\n";
    const [s] = logrotateScripts(text);
    expect(s!.line).toBe(3);
    expect(s!.masked.text.split("\n")[2]).toBe("    kill -HUP $(cat /run/foo.pid)");
    expect(s!.masked.text.split("\n")[1]).toBe("            ");
  });

  it("parses spec macros: known values, unknown ones as unset variables, %% as %", () => {
    const spec = parseSpec("Name: foo\n%global d %{_localstatedir}/lib/%{name}\n%post\ndate +%%s > %{d}/t %{?x}\n%files\n");
    expect(spec.scriptlets[0]!.masked!.text.split("\n")[3]).toBe("date +%s > /var/lib/foo/t ${_}");
  });

  it("reads install and cp destinations", () => {
    const root = (d: string) => (d.startsWith("/P/") ? d.slice(2) : null);
    expect(installPairs("install", ["-Dm755", "a.sh", "/P/etc/cron.daily/a"], root)).toEqual([{ src: "a.sh", dest: "/etc/cron.daily/a" }]);
    expect(installPairs("install", ["-m644", "-t", "/P/usr/lib/systemd/system", "a.service", "b.timer"], root).map((p) => p.dest)).toEqual(["/usr/lib/systemd/system/a.service", "/usr/lib/systemd/system/b.timer"]);
    expect(installPairs("cp", ["hook", "/P/etc/dhcp/dhclient-exit-hooks.d"], root)).toEqual([{ src: "hook", dest: "/etc/dhcp/dhclient-exit-hooks.d/hook" }]);
    expect(installPairs("install", ["-d", "/P/var/lib/a"], root)).toEqual([]);
  });
});

describe("rorlint scan --repo", () => {
  let tree: string;
  beforeAll(() => {
    tree = makeTree({
      "debian/control": "Source: bar\n\nPackage: bar\nArchitecture: all\nDescription: x\n y\n",
      "debian/bar.cron.daily": "#!/bin/sh\necho done > /etc/bar.last\n",
    });
  });
  afterAll(() => removeTree(tree));

  it("is an option of the scan command, with findings at the repository's paths", () => {
    const r = runCli(["scan", "--repo", tree, "--no-config", "-f", "json"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout) as { targets: { kind: string }[]; findings: { ruleId: string; path: string; line: number; column: number; role: string }[] };
    expect(out.targets[0]!.kind).toBe("repo");
    expect(out.findings.map((f) => `${f.ruleId} ${f.path}:${f.line}:${f.column} ${f.role}`)).toEqual(["ROR105 debian/bar.cron.daily:2:1 periodic"]);
  });

  it("refuses a file", () => {
    const r = runCli(["scan", "--repo", join(tree, "debian", "control"), "--no-config"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--repo needs a directory/);
  });
});
