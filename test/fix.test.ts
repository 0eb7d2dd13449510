/** Fixes: suggestions on findings (JSON, SARIF) and `--fix`, which applies them to files on disk. */
import { describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fixFor } from "../src/fix/index.js";
import { applyReplacements } from "../src/fix/apply.js";
import { splitWords } from "../src/fix/words.js";
import { scanPath } from "../src/scan.js";
import type { Finding } from "../src/types.js";
import { makeTree, removeTree, runCli, SKELETON } from "./helpers.js";

/** A finding at the first occurrence of `command` in `text` (as a rule reports it: from the command word). */
function findingAt(ruleId: string, text: string, command: string): Finding {
  const lines = text.split("\n");
  const line = lines.findIndex((l) => l.includes(command)) + 1;
  const column = lines[line - 1]!.indexOf(command) + 1;
  return { ruleId, ruleName: "x", level: "error", message: "m", path: "f", line, column, endLine: line, endColumn: column + command.length };
}

/** The text after applying the fix of a finding on `command` (null: no fix offered). */
function fixed(ruleId: string, text: string, command: string, others: Map<string, string> = new Map()): string | null {
  const fix = fixFor(findingAt(ruleId, text, command), text, others);
  if (!fix) return null;
  return applyReplacements(text, fix.replacements.filter((r) => r.path === "f")).text;
}

const parses = (text: string) => spawnSync("sh", ["-n"], { input: text }).status === 0;

describe("ROR103 fix: mv X /etc/resolv.conf -> cat X > /etc/resolv.conf && rm -f X", () => {
  it("rewrites the command, keeping indentation and the rest of the line", () => {
    expect(fixed("ROR103", "#!/bin/sh\n    mv -f \"$tmp\" /etc/resolv.conf || true\n", 'mv -f "$tmp" /etc/resolv.conf')).toBe(
      '#!/bin/sh\n    cat "$tmp" > /etc/resolv.conf && rm -f "$tmp" || true\n',
    );
    expect(fixed("ROR103", "if mv $new $RESOLV; then :; fi\n", "mv $new $RESOLV")).toBe("if cat $new > $RESOLV && rm -f $new; then :; fi\n");
    expect(fixed("ROR103", "foo && /bin/mv -- /run/r /etc/resolv.conf\n", "/bin/mv -- /run/r /etc/resolv.conf")).toBe("foo && cat /run/r > /etc/resolv.conf && rm -f /run/r\n");
  });

  it("groups it where an operator before it would change its meaning", () => {
    const out = fixed("ROR103", "[ -s /run/r ] || mv /run/r /etc/resolv.conf\n", "mv /run/r /etc/resolv.conf")!;
    expect(out).toBe("[ -s /run/r ] || { cat /run/r > /etc/resolv.conf && rm -f /run/r; }\n");
    expect(parses(out)).toBe(true);
  });

  it("offers nothing when the rewrite is not mechanical", () => {
    const none = (line: string, command: string) => expect(fixed("ROR103", `${line}\n`, command)).toBeNull();
    none("mv -b /run/r /etc/resolv.conf", "mv -b /run/r /etc/resolv.conf"); // an option other than -f
    none("mv a b /etc/", "mv a b /etc/"); // several sources
    none("mv $(mktemp) /etc/resolv.conf", "mv $(mktemp) /etc/resolv.conf"); // expands differently twice
    none("mv /run/r* /etc/resolv.conf", "mv /run/r* /etc/resolv.conf"); // a glob
    none("exec mv /run/r /etc/resolv.conf", "mv /run/r /etc/resolv.conf"); // cat would replace the shell
    none("mv /run/r /etc/resolv.conf 2>/dev/null", "mv /run/r /etc/resolv.conf"); // a redirection after it
    none("mv /etc/resolv.conf /etc/resolv.conf.bak", "mv /etc/resolv.conf /etc/resolv.conf.bak"); // moves it away
    none("ln -sf /run/r /etc/resolv.conf", "ln -sf /run/r /etc/resolv.conf"); // not mv
  });
});

describe("ROR104 fix: hwclock --systohc gains --noadjfile and a HWCLOCKACCESS guard", () => {
  const sourcing = "[ -r /etc/default/hwclock ] && . /etc/default/hwclock\n";

  it("guards the command and adds --noadjfile; sources /etc/default/hwclock when the script does not", () => {
    expect(fixed("ROR104", `#!/bin/sh\n${sourcing}  stop) hwclock --systohc --utc ;;\n`, "hwclock --systohc --utc")).toBe(
      `#!/bin/sh\n${sourcing}  stop) [ "\${HWCLOCKACCESS:-yes}" = no ] || hwclock --noadjfile --systohc --utc ;;\n`,
    );
    const out = fixed("ROR104", "#!/bin/sh\nif /sbin/hwclock -w; then echo saved; fi\n", "/sbin/hwclock -w")!;
    expect(out).toBe('#!/bin/sh\nif [ -r /etc/default/hwclock ] && . /etc/default/hwclock; [ "${HWCLOCKACCESS:-yes}" = no ] || /sbin/hwclock --noadjfile -w; then echo saved; fi\n');
    expect(parses(out)).toBe(true);
  });

  it("groups it after && (the guard must not swallow the left side)", () => {
    const out = fixed("ROR104", `${sourcing}sync && hwclock --systohc --noadjfile\n`, "hwclock --systohc --noadjfile")!;
    expect(out).toBe(`${sourcing}sync && { [ "\${HWCLOCKACCESS:-yes}" = no ] || hwclock --systohc --noadjfile; }\n`);
    expect(parses(out)).toBe(true);
  });

  it("documents HWCLOCKACCESS in /etc/default/hwclock when the scan read it and it does not", () => {
    const text = `${sourcing}hwclock --systohc\n`;
    const fix = fixFor(findingAt("ROR104", text, "hwclock --systohc"), text, new Map([["etc/default/hwclock", "# Settings for hwclock.\n"]]))!;
    expect(fix.replacements[1]).toEqual({ path: "etc/default/hwclock", line: 2, column: 1, endLine: 2, endColumn: 1, text: expect.stringContaining("#HWCLOCKACCESS=yes\n") });
    const documented = fixFor(findingAt("ROR104", text, "hwclock --systohc"), text, new Map([["etc/default/hwclock", "#HWCLOCKACCESS=yes\n"]]))!;
    expect(documented.replacements).toHaveLength(1);
  });

  it("offers nothing for other actions, busybox, an explicit drift file, clustered options", () => {
    for (const c of ["hwclock --adjust", "busybox hwclock -w", "hwclock --systohc --adjfile=/run/adjtime", "hwclock -wu", "exec hwclock -w"]) {
      const text = `${c}\n`;
      const f = findingAt("ROR104", text, c.startsWith("exec") ? "hwclock -w" : c);
      expect(fixFor(f, text), c).toBeUndefined();
    }
  });
});

describe("word splitting", () => {
  it("keeps quotes and expansions, refuses operators and comments", () => {
    expect(splitWords(`mv -f "$a b" '\${c}' \${d:-e f} $(x y)`)!.map((w) => w.text)).toEqual(["mv", "-f", '"$a b"', "'${c}'", "${d:-e f}", "$(x y)"]);
    expect(splitWords("mv a b; rm c")).toBeNull();
    expect(splitWords("mv a b # c")).toBeNull();
    expect(splitWords('mv "a b')).toBeNull();
  });
});

describe("rorlint scan --fix", () => {
  const HOOK = "etc/dhcp/dhclient-enter-hooks.d/nameservers";
  const HWCLOCK = "etc/init.d/hwclock.sh";
  const tree = () =>
    makeTree({
      ...SKELETON,
      "etc/resolv.conf": { symlink: "../run/resolvconf/resolv.conf" },
      [HOOK]: "#!/bin/sh\nnew=/run/resolv.conf.new\nmake_resolv_conf() {\n\tmv -f $new /etc/resolv.conf\n}\nmake_resolv_conf\n",
      [HWCLOCK]: [
        "#!/bin/sh",
        "### BEGIN INIT INFO",
        "# Provides:          hwclock",
        "# Default-Start:     S",
        "# Default-Stop:      0 6",
        "### END INIT INFO",
        '[ ! -r /etc/default/hwclock ] || . /etc/default/hwclock',
        'case "$1" in',
        "  stop)",
        "    if hwclock --rtc=/dev/rtc0 --systohc; then echo saved; fi",
        "    ;;",
        "esac",
        "",
      ].join("\n"),
      "etc/rc0.d/K01hwclock.sh": { symlink: "../init.d/hwclock.sh" },
      "etc/default/hwclock": "# Settings for the hwclock init script.\n",
    });

  it("JSON offers the fixes; --fix applies them atomically; the re-scan has no finding of those rules and parses", async () => {
    const root = tree();
    try {
      const before = JSON.parse(runCli(["scan", root, "-f", "json"]).stdout);
      const fixable = before.findings.filter((f: Finding) => f.fix);
      expect(fixable.map((f: Finding) => f.ruleId).sort()).toEqual(["ROR103", "ROR104"]);
      expect(fixable.find((f: Finding) => f.ruleId === "ROR103").fix).toEqual({
        description: expect.any(String),
        replacements: [{ path: HOOK, line: 4, column: 2, endLine: 4, endColumn: 29, text: "cat $new > /etc/resolv.conf && rm -f $new" }],
      });
      const mode = statSync(join(root, HOOK)).mode;

      const r = runCli(["scan", root, "--fix", "-f", "json"]);
      expect(r.stderr).toContain("fixed 2 problems in 3 files");
      // The report is of the fixed tree.
      expect(JSON.parse(r.stdout).findings.map((f: Finding) => f.ruleId)).not.toContain("ROR103");

      expect(readFileSync(join(root, HOOK), "utf8")).toBe("#!/bin/sh\nnew=/run/resolv.conf.new\nmake_resolv_conf() {\n\tcat $new > /etc/resolv.conf && rm -f $new\n}\nmake_resolv_conf\n");
      expect(readFileSync(join(root, HWCLOCK), "utf8")).toContain('    if [ "${HWCLOCKACCESS:-yes}" = no ] || hwclock --noadjfile --rtc=/dev/rtc0 --systohc; then echo saved; fi\n');
      expect(readFileSync(join(root, "etc/default/hwclock"), "utf8")).toMatch(/^# Settings for the hwclock init script\.\n# .*\n#HWCLOCKACCESS=yes\n$/);
      expect(statSync(join(root, HOOK)).mode).toBe(mode); // still executable
      expect(execFileSync("ls", ["-a", join(root, "etc/dhcp/dhclient-enter-hooks.d")], { encoding: "utf8" }).split("\n").filter((n) => n.includes(".tmp"))).toEqual([]);

      const again = await scanPath(root);
      expect(again.findings.filter((f) => f.ruleId === "ROR103" || f.ruleId === "ROR104")).toEqual([]);
      expect(again.parse.filesWithErrors).toBe(0);
      for (const p of [HOOK, HWCLOCK]) expect(parses(readFileSync(join(root, p), "utf8")), p).toBe(true);
    } finally {
      removeTree(root);
    }
  });

  it("does not fix suppressed findings", () => {
    const root = makeTree({ "hook.sh": "#!/bin/sh\n# rorlint disable-next-line=ROR103 -- on purpose\nmv /run/r /etc/resolv.conf\n" });
    try {
      const r = runCli(["scan", join(root, "hook.sh"), "--role", "network-hook", "--fix"]);
      expect(r.status).toBe(0);
      expect(readFileSync(join(root, "hook.sh"), "utf8")).toContain("mv /run/r /etc/resolv.conf");
    } finally {
      removeTree(root);
    }
  });

  it("fixes a single script given by path", () => {
    const root = makeTree({ "hook.sh": "#!/bin/sh\nmv /run/r /etc/resolv.conf\n" });
    try {
      const r = runCli(["scan", join(root, "hook.sh"), "--role", "network-hook", "--fix"]);
      expect(r.stderr).toContain("fixed 1 problem in 1 file");
      expect(readFileSync(join(root, "hook.sh"), "utf8")).toBe("#!/bin/sh\ncat /run/r > /etc/resolv.conf && rm -f /run/r\n");
    } finally {
      removeTree(root);
    }
  });

  it("refuses a tarball and leaves it untouched", () => {
    const root = tree();
    const dir = makeTree({}, "rorlint-tar-");
    const tarball = join(dir, "rootfs.tar");
    try {
      execFileSync("tar", ["-cf", tarball, "-C", root, "."]);
      const bytes = readFileSync(tarball);
      const r = runCli(["scan", tarball, "--fix"]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/never modifies archives/);
      expect(readFileSync(tarball).equals(bytes)).toBe(true);
    } finally {
      removeTree(root);
      removeTree(dir);
    }
  });
});
