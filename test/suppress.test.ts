/** Inline suppressions: `# rorlint disable-next-line=...` and `# rorlint disable-file=...`. */
import { describe, expect, it } from "vitest";
import { scanPath } from "../src/scan.js";
import { parsePragmas } from "../src/suppress/pragma.js";
import { makeTree, removeTree, runCli, type TreeSpec } from "./helpers.js";

const HOOK = "etc/dhcp/dhclient-enter-hooks.d/nameservers";

async function scan(files: TreeSpec, options: Parameters<typeof scanPath>[1] = {}) {
  const root = makeTree(files); // a directory of scripts: root filesystem rules do not run
  try {
    return await scanPath(root, options);
  } finally {
    removeTree(root);
  }
}

const byId = (s: string) => (/^ROR\d{3}$/i.test(s) ? s.toUpperCase() : s === "replaces-resolv-conf" ? "ROR103" : null);

describe("pragma syntax", () => {
  it("reads scope, rules, reason, and the line a disable-next-line applies to", () => {
    const text = [
      "#!/bin/sh",
      "# rorlint disable-next-line=ROR103, replaces-resolv-conf -- two names, one rule",
      "  # an ordinary comment in between",
      "\t#rorlint disable-next-line=ROR105",
      "mv a /etc/resolv.conf",
      "# rorlint disable-file=ror104 -- the whole file",
      "",
    ].join("\n");
    const { pragmas, problems } = parsePragmas(text, byId);
    expect(problems).toEqual([]);
    expect(pragmas).toEqual([
      expect.objectContaining({ scope: "next-line", line: 2, column: 1, target: 5, reason: "two names, one rule", rules: [{ text: "ROR103", ruleId: "ROR103" }, { text: "replaces-resolv-conf", ruleId: "ROR103" }] }),
      expect.objectContaining({ scope: "next-line", line: 4, column: 2, target: 5, reason: null, rules: [{ text: "ROR105", ruleId: "ROR105" }] }),
      expect.objectContaining({ scope: "file", line: 6, target: null, reason: "the whole file", rules: [{ text: "ror104", ruleId: "ROR104" }] }),
    ]);
  });

  it("does not skip a blank line, and knows the end of the file", () => {
    const { pragmas } = parsePragmas("# rorlint disable-next-line=ROR103 -- x\n\nmv a b\n# rorlint disable-next-line=ROR103 -- y\n", byId);
    expect(pragmas.map((p) => [p.target, p.targetBlank])).toEqual([
      [2, true],
      [null, false],
    ]);
  });

  it("ignores here-document bodies, strings and prose, and reports malformed pragmas", () => {
    const text = [
      "cat > /run/x <<-'EOF'",
      "\t# rorlint disable-file=ROR103 -- in a here-document",
      "\tEOF",
      "x=$((1 << 2))",
      'echo "# rorlint disable-file=ROR103 -- in a string"',
      "# rorlint is run in CI",
      "# rorlint disable-nextline=ROR103 -- typo in the directive",
      "# rorlint disable-next-line=ROR103 because no separator",
      "# rorlint disable-file= -- no rule",
      "# rorlint disable-file=ROR104 -- after the here-document and the shift",
    ].join("\n");
    const { pragmas, problems } = parsePragmas(text, byId);
    expect(pragmas.map((p) => p.line)).toEqual([10]);
    expect(problems.map((p) => p.line)).toEqual([7, 8, 9]);
    expect(problems[0]!.message).toContain('unknown rorlint directive "disable-nextline"');
  });
});

describe("inline suppressions in a scan", () => {
  it("marks the finding on the next code line as suppressed, with its reason, and keeps it", async () => {
    const r = await scan({
      [HOOK]: "#!/bin/sh\n# rorlint disable-next-line=ROR103 -- resolv.conf is a regular file on this product\n# (written by our own DHCP hook)\nmv -f /run/resolv.new /etc/resolv.conf\n",
    });
    expect(r.findings).toEqual([
      expect.objectContaining({
        ruleId: "ROR103",
        line: 4,
        suppressions: [{ kind: "inSource", justification: "resolv.conf is a regular file on this product", location: { path: HOOK, line: 2 } }],
      }),
    ]);
  });

  it("applies to the line of a multi-line command's command word", async () => {
    const r = await scan({ [HOOK]: "#!/bin/sh\n# rorlint disable-next-line=ROR103 -- reason\nmv -f \\\n  /run/resolv.new \\\n  /etc/resolv.conf\n" });
    expect(r.findings.map((f) => [f.ruleId, f.line, f.suppressions?.length])).toEqual([["ROR103", 3, 1]]);
  });

  it("disable-file applies to every finding of the rule in the file, by id or name", async () => {
    const r = await scan({
      [HOOK]: "#!/bin/sh\nmv /run/a /etc/resolv.conf\n# rorlint disable-file=replaces-resolv-conf -- this hook owns resolv.conf\nmv /run/b /etc/resolv.conf\n",
    });
    expect(r.findings.map((f) => [f.ruleId, f.line, f.suppressions?.[0]?.justification])).toEqual([
      ["ROR103", 2, "this hook owns resolv.conf"],
      ["ROR103", 4, "this hook owns resolv.conf"],
    ]);
  });

  it("does not suppress other rules or other lines", async () => {
    const r = await scan({ [HOOK]: "#!/bin/sh\n# rorlint disable-next-line=ROR105 -- wrong rule\nmv /run/a /etc/resolv.conf\nmv /run/b /etc/resolv.conf\n" });
    const real = r.findings.filter((f) => f.ruleId === "ROR103");
    expect(real.map((f) => [f.line, f.suppressions])).toEqual([
      [3, undefined],
      [4, undefined],
    ]);
    // ...and the pragma that matched nothing is reported.
    expect(r.findings.filter((f) => f.ruleId === "ROR001").map((f) => [f.line, f.level])).toEqual([[2, "warning"]]);
  });

  it("a pragma without a reason still applies, and gives a diagnostic with its line", async () => {
    const r = await scan({ [HOOK]: "#!/bin/sh\n# rorlint disable-next-line=ROR103\nmv /run/a /etc/resolv.conf\n" });
    expect(r.findings.map((f) => [f.ruleId, f.suppressions?.[0]])).toEqual([["ROR103", { kind: "inSource", location: { path: HOOK, line: 2 } }]]);
    expect(r.diagnostics).toContainEqual(expect.objectContaining({ path: HOOK, line: 2, code: "suppression-without-reason" }));
  });

  it("reports an unused suppression as a ROR001 finding at the pragma", async () => {
    const r = await scan({ [HOOK]: "#!/bin/sh\n# rorlint disable-next-line=ROR103 -- fixed long ago\ncat /run/a > /run/resolv.conf\n" });
    expect(r.findings).toEqual([
      expect.objectContaining({ ruleId: "ROR001", ruleName: "unused-suppression", level: "warning", path: HOOK, line: 2, column: 1, endLine: 2, endColumn: 53 }),
    ]);
    expect(r.findings[0]!.message).toMatch(/ROR103.*no ROR103 finding on line 3/);
    expect(r.sources.get(HOOK)).toContain("fixed long ago");
  });

  it("reports only the unused names of a pragma with several", async () => {
    const r = await scan({ [HOOK]: "#!/bin/sh\n# rorlint disable-next-line=ROR103,ROR105,ROR999 -- one used, one stale, one typo\nmv /run/a /etc/resolv.conf\n" });
    const unused = r.findings.filter((f) => f.ruleId === "ROR001").map((f) => f.message);
    expect(unused).toHaveLength(2);
    expect(unused[0]).toContain("ROR105");
    expect(unused[1]).toContain('"ROR999", which is no rule');
    expect(r.findings.find((f) => f.ruleId === "ROR103")?.suppressions).toHaveLength(1);
  });

  it("judges only rules that ran; a name that is no rule is always reported", async () => {
    const files = { [HOOK]: "#!/bin/sh\n# rorlint disable-next-line=ROR103 -- x\n# rorlint disable-next-line=ROR999 -- typo\nmv /run/a /etc/resolv.conf\n" };
    const { RULES } = await import("../rules/index.js");
    const r = await scan(files, { rules: RULES.filter((x) => x.id === "ROR001" || x.id === "ROR101") });
    expect(r.findings.map((f) => [f.ruleId, f.line])).toEqual([["ROR001", 3]]);
  });

  it("--no-inline-suppressions (inlineSuppressions: false) ignores every pragma", async () => {
    const r = await scan({ [HOOK]: "#!/bin/sh\n# rorlint disable-next-line=ROR103\nmv /run/a /etc/resolv.conf\n# rorlint disable-next-line=ROR105 -- stale\ntrue\n" }, { inlineSuppressions: false });
    expect(r.findings.map((f) => [f.ruleId, f.suppressions])).toEqual([["ROR103", undefined]]);
    expect(r.diagnostics.filter((d) => d.code.includes("suppression"))).toEqual([]);
  });

  it("pragmas in a configuration file apply to root filesystem findings there", async () => {
    const r = await scan({
      "etc/os-release": "ID=test\n",
      "usr/bin": { dir: true },
      "etc/mtab": { symlink: "../proc/self/mounts" },
      "etc/fstab": "# rorlint disable-file=ROR204 -- the initramfs mounts / read-only\n/dev/sda1 / ext4 defaults 0 1\ntmpfs /tmp tmpfs defaults 0 0\n",
    });
    expect(r.kind).toBe("rootfs");
    expect(r.findings.filter((f) => f.ruleId === "ROR204").map((f) => [f.path, f.line, f.suppressions?.[0]?.justification])).toEqual([
      ["etc/fstab", 2, "the initramfs mounts / read-only"],
    ]);
  });

  it("pragmas in a library apply to findings in the library", async () => {
    const r = await scan({
      "etc/rc.local": "#!/bin/sh\n. /lib/ours.sh\nset_dns\n",
      "lib/ours.sh": "set_dns() {\n    # rorlint disable-next-line=ROR103 -- the product's resolv.conf is a regular file\n    mv /run/a /etc/resolv.conf\n}\n",
    });
    expect(r.findings.map((f) => [f.ruleId, f.path, f.line, f.suppressions?.length])).toEqual([["ROR103", "lib/ours.sh", 3, 1]]);
  });
});

describe("inline suppressions on the command line", () => {
  const tree = () =>
    makeTree({
      [HOOK]: "#!/bin/sh\n# rorlint disable-next-line=ROR103 -- resolv.conf is ours\nmv /run/a /etc/resolv.conf\n# rorlint disable-next-line=ROR103\nmv /run/b /etc/resolv.conf\n",
    });

  it("stylish hides suppressed findings, counts them, names the pragma without a reason; exit 0", () => {
    const root = tree();
    try {
      const r = runCli(["scan", root]);
      expect(r.status).toBe(0);
      expect(r.stdout).not.toContain("ROR103");
      expect(r.stdout).toContain(`${HOOK}:4`);
      expect(r.stdout).toContain("suppression without a reason");
      expect(r.stdout).toMatch(/no problems found · 2 suppressed/);
    } finally {
      removeTree(root);
    }
  });

  it("JSON keeps them with `suppressions`; --no-inline-suppressions fails the run", () => {
    const root = tree();
    try {
      const json = JSON.parse(runCli(["scan", root, "-f", "json"]).stdout);
      expect(json.findings.map((f: { line: number; suppressions: unknown }) => [f.line, f.suppressions])).toEqual([
        [3, [{ kind: "inSource", justification: "resolv.conf is ours", location: { path: HOOK, line: 2 } }]],
        [5, [{ kind: "inSource", location: { path: HOOK, line: 4 } }]],
      ]);
      expect(json.diagnostics).toContainEqual({ path: HOOK, line: 4, code: "suppression-without-reason", message: expect.any(String) });
      const off = runCli(["scan", root, "--no-inline-suppressions"]);
      expect(off.status).toBe(1);
      expect(off.stdout).toMatch(/2 problems \(2 errors\)/);
    } finally {
      removeTree(root);
    }
  });

  it("an unused suppression fails the run as a warning; ROR001 can be turned off in the configuration", () => {
    const root = makeTree({ [HOOK]: "#!/bin/sh\n# rorlint disable-next-line=ROR103 -- stale\ntrue\n" });
    try {
      const r = runCli(["scan", root]);
      expect(r.status).toBe(1);
      expect(r.stdout).toContain("ROR001 unused-suppression");
      expect(runCli(["scan", root, "--fail-on", "error"]).status).toBe(0);
      const cfg = makeTree({ ".rorlint.yaml": "rules:\n  unused-suppression: off\n" });
      try {
        const quiet = runCli(["scan", root, "--config", `${cfg}/.rorlint.yaml`]);
        expect(quiet.status).toBe(0);
        expect(quiet.stdout).not.toContain("ROR001");
      } finally {
        removeTree(cfg);
      }
    } finally {
      removeTree(root);
    }
  });
});
