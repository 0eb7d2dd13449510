/**
 * `rorlint plan`: what a root filesystem needs in order to boot read-only.
 * On the Debian 12 sysvinit corpus every entry must name its reason and
 * findings that the scan reports; on small trees, each kind of finding
 * must give the change a reader would make.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureCorpus } from "../src/corpus/build.js";
import { scanPath, type ScanResult } from "../src/scan.js";
import { buildPlan, type Plan } from "../src/plan/build.js";
import { formatPlanJson, formatPlanText } from "../src/plan/format.js";
import { makeTree, removeTree, runCli, SKELETON, type TreeSpec } from "./helpers.js";

describe("the plan for Debian 12 with sysvinit", () => {
  let result: ScanResult;
  let plan: Plan;
  let root: string;

  beforeAll(async () => {
    root = await ensureCorpus("debian-12-sysvinit");
    result = await scanPath(root);
    plan = await buildPlan(result);
  }, 900_000);

  it("has entries, each action with a reason and at least one finding that the scan reports", () => {
    expect(plan.entries.length).toBeGreaterThan(5);
    const reported = new Set(result.findings.map((f) => `${f.ruleId} ${f.path}:${f.line}:${f.column}`));
    for (const e of plan.entries) {
      expect(e.actions.length, e.path).toBeGreaterThan(0);
      for (const a of e.actions) {
        expect(a.reason.length, `${e.path}: ${a.text}`).toBeGreaterThan(10);
        expect(a.findings.length, `${e.path}: ${a.text}`).toBeGreaterThan(0);
        for (const f of a.findings) expect(reported.has(`${f.ruleId} ${f.path}:${f.line}:${f.column}`), `${e.path}: ${f.ruleId} ${f.path}:${f.line}`).toBe(true);
      }
    }
  });

  it("covers every finding of the scan that a change to the tree or a script resolves", () => {
    const used = new Set(plan.entries.flatMap((e) => e.actions.flatMap((a) => a.findings.map((f) => `${f.ruleId} ${f.path}:${f.line}:${f.column}`))));
    const missed = result.findings.filter((f) => f.ruleId !== "ROR001" && !used.has(`${f.ruleId} ${f.path}:${f.line}:${f.column}`));
    expect(missed).toEqual([]);
  });

  it("suggests the mtab link, an ro root in fstab, and tmpfiles.d lines for /var", () => {
    const actions = (path: string) => plan.entries.find((e) => e.path === path)?.actions.map((a) => `${a.kind}: ${a.text}`) ?? [];
    expect(actions("/etc/mtab")).toContain("symlink: /etc/mtab -> ../proc/self/mounts");
    expect(actions("/")).toContain("fstab: LABEL=root / ext4 ro 0 1");
    expect(actions("/var/lib/dhcp")).toContain("tmpfiles: d /var/lib/dhcp 0755 root root -");
    expect(actions("/var/tmp")).toContain("tmpfiles: d /var/tmp 1777 root root -");
    expect(plan.files.find((f) => f.path === "etc/tmpfiles.d/readonly-root.conf")?.lines).toContain("d /var/spool/rsyslog 0700 root root -");
    expect(plan.commands).toContain("ln -sfn ../proc/self/mounts etc/mtab");
  });

  it("notes that nothing in this sysvinit tree applies tmpfiles.d at boot", () => {
    expect(plan.notes.join("\n")).toMatch(/Nothing in this tree applies tmpfiles\.d at boot \(init: sysvinit/);
  });

  it("does not ask to link /etc/resolv.conf: it already links into /run", () => {
    expect(plan.entries.find((e) => e.path === "/etc/resolv.conf")).toBeUndefined();
  });

  it("prints every entry in the text form, and the same plan as JSON", () => {
    const text = formatPlanText(plan);
    for (const e of plan.entries) expect(text).toContain(`\n${e.path}\n`);
    expect(text).toMatch(/from: ROR202 etc\/mtab:1/);
    const json = JSON.parse(formatPlanJson([plan])) as { plans: { entries: unknown[] }[] };
    expect(json.plans[0]!.entries).toEqual(JSON.parse(JSON.stringify(plan.entries)));
  });
});

describe("plan entries on small trees", () => {
  const trees: string[] = [];
  afterAll(() => {
    for (const t of trees) removeTree(t);
  });
  async function planOf(spec: TreeSpec): Promise<Plan> {
    const tree = makeTree({ ...SKELETON, ...spec });
    trees.push(tree);
    return buildPlan(await scanPath(tree));
  }
  const entry = (plan: Plan, path: string) => plan.entries.find((e) => e.path === path);

  it("links /etc/resolv.conf to the updater's file (resolvconf), and names the finding", async () => {
    const plan = await planOf({ "etc/resolv.conf": "nameserver 192.0.2.1\n", "sbin/resolvconf": "#!/bin/sh\n:\n", "etc/resolvconf/update.d/libc": "#!/bin/sh\n:\n" });
    const a = entry(plan, "/etc/resolv.conf")!.actions[0]!;
    expect(a).toMatchObject({ kind: "symlink", text: "/etc/resolv.conf -> ../run/resolvconf/resolv.conf" });
    expect(a.findings.map((f) => `${f.ruleId} ${f.path}:${f.line}`)).toEqual(["ROR203 etc/resolv.conf:1"]);
  });

  it("changes the / line of fstab to ro, showing the line it replaces", async () => {
    const plan = await planOf({ "etc/fstab": "# root\nUUID=1234 / ext4 errors=remount-ro 0 1\n" });
    expect(entry(plan, "/")!.actions[0]).toMatchObject({ kind: "fstab", text: "UUID=1234 / ext4 ro,errors=remount-ro 0 1", replaces: { path: "etc/fstab", line: 2, text: "UUID=1234 / ext4 errors=remount-ro 0 1" } });
    expect(plan.commands.some((c) => c.startsWith("sed -i '2s/"))).toBe(true);
  });

  it("links a file that a boot script writes under /etc into /run, and one that a cron job writes into /var/lib", async () => {
    const plan = await planOf({
      "etc/rc.local": "#!/bin/sh\ndate > /etc/exampled/boot-stamp\n",
      "etc/exampled/exampled.conf": "x=1\n",
      "etc/cron.daily/stamp": "#!/bin/sh\ndate > /etc/last-cron\n",
    });
    expect(entry(plan, "/etc/exampled/boot-stamp")!.actions.map((a) => a.text)).toEqual(["/etc/exampled/boot-stamp -> ../../run/exampled/boot-stamp", "d /run/exampled 0755 root root -"]);
    expect(entry(plan, "/etc/last-cron")!.actions.map((a) => a.text)).toEqual(["/etc/last-cron -> ../var/lib/last-cron"]);
  });

  it("uses rwtab entries on a tree that uses rwtab", async () => {
    const plan = await planOf({ "etc/rwtab": "dirs /var/lib/dhclient\n", "etc/rc.local": "#!/bin/sh\ndate > /etc/exampled.state\n" });
    expect(entry(plan, "/etc/exampled.state")!.actions[0]).toMatchObject({ kind: "rwtab", text: "files /etc/exampled.state" });
    expect(plan.files.find((f) => f.path === "etc/rwtab.d/readonly-root")?.lines).toEqual(["files /etc/exampled.state"]);
  });

  it("creates the directory a script writes into (ROR102) with a tmpfiles.d line", async () => {
    const plan = await planOf({ "etc/rc.local": "#!/bin/sh\necho started >> /var/log/exampled/boot.log\n" });
    expect(entry(plan, "/var/log/exampled")!.actions[0]).toMatchObject({ kind: "tmpfiles", text: "d /var/log/exampled 0755 root root -" });
  });

  it("suggests a tmpfs for /tmp, the /var/run link and an empty machine-id", async () => {
    const plan = await planOf({ "etc/fstab": "/dev/sda1 / ext4 ro 0 1\n", "sbin/init": { symlink: "../lib/systemd/systemd" }, "lib/systemd/systemd": "\x7fELF", "var/run/x.pid": "1\n", "var/lock": { symlink: "../run/lock" } });
    expect(entry(plan, "/tmp")!.actions[0]!.text).toBe("tmpfs /tmp tmpfs nosuid,nodev,mode=1777 0 0");
    expect(entry(plan, "/var/run")!.actions.map((a) => a.text)).toContain("/var/run -> ../run");
    expect(entry(plan, "/etc/machine-id")!.actions[0]).toMatchObject({ kind: "file" });
    expect(plan.commands).toContain(": > etc/machine-id");
  });

  it("is empty for a tree that is ready", async () => {
    const plan = await planOf({ "etc/fstab": "/dev/sda1 / ext4 ro 0 1\ntmpfs /tmp tmpfs defaults 0 0\n" });
    expect(plan.entries).toEqual([]);
    expect(formatPlanText(plan)).toContain("Nothing to change");
  });
});

describe("rorlint plan (CLI)", () => {
  it("writes JSON atomically with --output, and exits 1 when the plan has entries", () => {
    const tree = makeTree({ ...SKELETON, "etc/fstab": "/dev/sda1 / ext4 defaults 0 1\n" });
    const dir = mkdtempSync(join(tmpdir(), "rorlint-plan-"));
    try {
      const out = join(dir, "plan.json");
      const r = runCli(["plan", tree, "--no-config", "--format", "json", "--output", out]);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(1);
      const json = JSON.parse(readFileSync(out, "utf8")) as { plans: { entries: { path: string }[] }[] };
      expect(json.plans[0]!.entries.map((e) => e.path)).toContain("/");
    } finally {
      removeTree(tree);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a path that is not a root filesystem (exit 2)", () => {
    const tree = makeTree({ "init.d/x": "#!/bin/sh\n:\n" });
    try {
      const r = runCli(["plan", tree, "--no-config"]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain("not a root filesystem");
    } finally {
      removeTree(tree);
    }
  });
});
