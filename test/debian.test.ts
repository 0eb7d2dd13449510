/**
 * A real Debian 12 root filesystem with a classic sysvinit boot, built by
 * debootstrap into the git-ignored cache (npm run corpus). The expected
 * findings below were checked by reading the scripts of that tree.
 */
import { RUNTIME_ROLES } from "../src/types.js";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureCorpus } from "../src/corpus/build.js";
import { scanPath, type ScanResult } from "../src/scan.js";

let result: ScanResult;
let root: string;

beforeAll(async () => {
  root = await ensureCorpus("debian-12-sysvinit");
  result = await scanPath(root);
}, 900_000);

const has = (ruleId: string, path: string, line?: number) =>
  result.findings.some((f) => f.ruleId === ruleId && f.path === path && (line === undefined || f.line === line));

describe("Debian 12 with sysvinit, initscripts, ifupdown, isc-dhcp-client and resolvconf", () => {
  it("is scanned as a root filesystem, with its init scripts and hooks found", () => {
    expect(result.kind).toBe("rootfs");
    const paths = result.scripts.map((s) => s.path);
    expect(paths).toContain("etc/init.d/checkroot.sh");
    expect(paths).toContain("usr/sbin/dhclient-script");
    const hw = result.scripts.find((s) => s.path === "etc/init.d/hwclock.sh");
    expect(hw?.roles).toEqual(expect.arrayContaining(["boot", "shutdown"]));
  });

  it("finds the hardware clock write in the stop branch of hwclock.sh", () => {
    // hwclocksh(): `stop|restart|reload|force-reload)` runs `/sbin/hwclock --rtc=/dev/$HCTOSYS_DEVICE --systohc`
    // with no configuration guard; rc0.d/rc6.d link the script.
    const f = result.findings.find((x) => x.ruleId === "ROR104" && x.path === "etc/init.d/hwclock.sh");
    expect(f).toBeDefined();
    expect(f!.role).toBe("shutdown");
    expect(f!.line).toBe(42);
    // Reported inside the function, with the call site as related location.
    expect(f!.related?.[0]?.line).toBe(57);
  });

  it("finds the package database under /var", () => {
    expect(has("ROR201", "var/lib/dpkg/status", 1)).toBe(true);
  });

  it("finds that /etc/mtab is missing (debootstrap does not create it)", () => {
    expect(has("ROR202", "etc/mtab")).toBe(true);
  });

  it("finds urandom's seed written into /var/lib/urandom, which no script creates", () => {
    // SAVEDFILE=/var/lib/urandom/random-seed; `dd ... of=$SAVEDFILE` in start and stop, no mkdir anywhere.
    expect(has("ROR102", "etc/init.d/urandom", 76)).toBe(true);
    expect(has("ROR102", "etc/init.d/urandom", 88)).toBe(true);
  });

  it("does not flag checkroot.sh: its remount takes the mode from fstab", () => {
    expect(result.findings.filter((f) => f.path === "etc/init.d/checkroot.sh" && f.ruleId === "ROR101")).toEqual([]);
  });

  it("does not flag dhclient-script for ROR103: it writes through readlink -f /etc/resolv.conf", () => {
    expect(result.findings.filter((f) => f.path === "usr/sbin/dhclient-script" && f.ruleId === "ROR103")).toEqual([]);
  });

  it("does not flag dhclient-script's temporary file: /etc/resolv.conf links into /run here", () => {
    expect(result.findings.filter((f) => f.path === "usr/sbin/dhclient-script")).toEqual([]);
  });

  it("finishes with every script that a rule checks parsed, and no crash", () => {
    // Boot, shutdown, network-hook and periodic scripts and their libraries are parsed; maintainer
    // scripts, which no rule checks, are listed with their role but not parsed.
    expect(result.parse.files).toBeGreaterThan(60);
    expect(result.scripts.filter((s) => s.roles.includes("maintainer")).length).toBeGreaterThan(100);
    expect(result.scripts.filter((s) => s.roles.some((r) => RUNTIME_ROLES.has(r))).length).toBeGreaterThan(55);
    // Lines left in unrecovered ERROR regions: well under 0.5% of the lines read.
    expect(result.parse.linesInErrors / result.parse.lines).toBeLessThan(0.005);
    expect(result.diagnostics.filter((d) => d.code !== "source-missing")).toEqual([]);
  });

  it("finds the scripts that inittab, cron tables and cron jobs run, with their roles", () => {
    const role = (p: string) => result.scripts.find((s) => s.path === p)?.roles ?? [];
    // inittab: `si::sysinit:/etc/init.d/rcS`, `l0:0:wait:/etc/init.d/rc 0`, `l2:2:wait:/etc/init.d/rc 2`
    expect(role("usr/lib/init/rc").length ? role("usr/lib/init/rc") : role("etc/init.d/rc")).toEqual(expect.arrayContaining(["boot", "shutdown"]));
    // /etc/crontab's commands, and apt.systemd.daily, which cron.daily/apt-compat execs
    expect(role("etc/crontab")).toEqual(["periodic"]);
    expect(role("usr/lib/apt/apt.systemd.daily")).toContain("periodic");
  });

  it("reports exactly the findings checked by hand (shell rules, ROR201, ROR202)", () => {
    const checked = /^ROR(1\d\d|201|202)$/;
    const got = result.findings.filter((f) => checked.test(f.ruleId)).map((f) => `${f.ruleId} ${f.path}:${f.line}`).sort();
    expect(got).toEqual(
      [
        "ROR102 etc/init.d/urandom:76",
        "ROR102 etc/init.d/urandom:88",
        "ROR104 etc/init.d/hwclock.sh:42",
        "ROR102 etc/init.d/brightness:72",
        "ROR102 usr/lib/apt/apt.systemd.daily:160",
        "ROR201 var/lib/dpkg/status:1",
        "ROR202 etc/mtab:1",
      ].sort(),
    );
  });
});
