/**
 * Packaging-repository mode on real Debian source packages: the debian/
 * directories of isc-dhcp, ifupdown, openssh, util-linux and cron (and,
 * where the archive serves them, others), fetched with `apt-get source
 * --download-only` into the git-ignored cache (src/corpus/sources.ts).
 *
 * The expected findings were checked by reading the files. Lines are found
 * by their content, so the assertions stay exact if a point release moves
 * code; columns are those of the command word on that line.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureSources, REQUIRED_SOURCES, type SourceResult } from "../src/corpus/sources.js";
import { scanPath, type ScanResult } from "../src/scan.js";
import { formatSarif } from "../src/format/sarif.js";
import { validateSarif } from "./sarif-validate.js";

const OPTIONAL = ["rsyslog", "mdadm", "chrony", "sysvinit", "resolvconf"];
const fetched = new Map<string, SourceResult>();
const scans = new Map<string, ScanResult>();

beforeAll(async () => {
  const results = await ensureSources([...REQUIRED_SOURCES, ...OPTIONAL], { onProgress: (l) => process.stderr.write(`sources: ${l}\n`) });
  for (const r of results) {
    fetched.set(r.name, r);
    if (r.dir) scans.set(r.name, await scanPath(r.dir, { repo: true }));
  }
}, 900_000);

function scan(name: string): ScanResult {
  const s = scans.get(name);
  if (!s) throw new Error(`${name}: ${fetched.get(name)?.status} ${fetched.get(name)?.reason ?? ""}`);
  return s;
}

function text(name: string, path: string): string {
  return readFileSync(join(fetched.get(name)!.dir!, path), "utf8");
}

/** Lines (1-based) of a file whose text matches `re`. */
function linesMatching(name: string, path: string, re: RegExp): number[] {
  return text(name, path)
    .split("\n")
    .flatMap((l, i) => (re.test(l) ? [i + 1] : []));
}

/** The one line matching `re`, with the column of `word` on it. */
function at(name: string, path: string, re: RegExp, word: string): { line: number; column: number } {
  const lines = linesMatching(name, path, re);
  expect(lines, `${path}: ${re}`).toHaveLength(1);
  const line = lines[0]!;
  return { line, column: text(name, path).split("\n")[line - 1]!.indexOf(word) + 1 };
}

const gist = (r: ScanResult) => r.findings.map((f) => `${f.ruleId} ${f.path}:${f.line}:${f.column} ${f.role}`);
const roleOf = (r: ScanResult, path: string, line?: number) =>
  r.scripts
    .filter((s) => s.path === path && (line === undefined || s.line === line))
    .flatMap((s) => s.roles)
    .sort()
    .join(",");

describe("fetching", () => {
  it("has the five packages the brief names; the others only where the archive serves them", () => {
    for (const name of REQUIRED_SOURCES) expect(fetched.get(name)?.status, `${name}: ${fetched.get(name)?.reason ?? ""}`).toMatch(/^(fetched|cached)$/);
    for (const name of OPTIONAL) expect(fetched.get(name)?.status).toMatch(/^(fetched|cached|unavailable)$/);
  });

  it("parses every shell file of the five without an unrecoverable error", () => {
    for (const name of REQUIRED_SOURCES) expect(scan(name).parse.linesInErrors, name).toBe(0);
  });
});

describe("isc-dhcp", () => {
  it("places dhclient-script where debian/rules copies it, and the exit hook and init scripts by name", () => {
    const r = scan("isc-dhcp");
    expect(r.scripts.find((s) => s.path === "debian/dhclient-script.linux")?.kind).toBe("installed at /sbin/dhclient-script (debian/rules)");
    expect(roleOf(r, "debian/dhclient-script.linux")).toBe("network-hook");
    expect(roleOf(r, "debian/rfc3442-classless-routes.linux")).toBe("network-hook");
    expect(roleOf(r, "debian/isc-dhcp-server.init.d")).toBe("boot,shutdown");
    expect(roleOf(r, "debian/isc-dhcp-server.postinst")).toBe("maintainer");
    // The udeb's copy of the script is for the installer, not an installed system.
    expect(r.scripts.some((s) => s.path === "debian/dhclient-script.linux.udeb")).toBe(false);
  });

  it("finds exactly the hand-checked writes", () => {
    const r = scan("isc-dhcp");
    // make_resolv_conf: resolv_conf=$(readlink -f /etc/resolv.conf) || resolv_conf=/etc/resolv.conf. Without a
    // resolver package /etc/resolv.conf is a regular file, so the temporary file
    // /etc/resolv.conf.dhclient-new.$$ is created, appended to, chowned, chmodded and removed in /etc, and
    // /etc/resolv.conf itself rewritten (cat > $resolv_conf): every one fails on a read-only root.
    const script = "debian/dhclient-script.linux";
    const writes = linesMatching("isc-dhcp", script, /rm -f \$new_resolv_conf|>> ?\$new_resolv_conf|--reference=\$resolv_conf \$new_resolv_conf|cat \$new_resolv_conf > \$resolv_conf/);
    expect(writes).toHaveLength(18);
    const lines = text("isc-dhcp", script).split("\n");
    const expected = writes.map((l) => `ROR105 ${script}:${l}:${lines[l - 1]!.search(/\S/) + 1} network-hook`);
    // isc-dhcp-server's start_daemon(): `touch /var/lib/dhcp/$NAME.leases`, and nothing creates /var/lib/dhcp
    // (no tmpfiles.d line, no mkdir): with /var on an empty tmpfs the server does not start.
    const touch = at("isc-dhcp", "debian/isc-dhcp-server.init.d", /touch \/var\/lib\/dhcp\/\$NAME\.leases/, "touch");
    expected.push(`ROR102 debian/isc-dhcp-server.init.d:${touch.line}:${touch.column} boot`);
    expect(gist(r).sort()).toEqual(expected.sort());
    expect(touch.column).toBe(2); // after a tab
  });

  it("reports the rewrite of /etc/resolv.conf itself at the cat command", () => {
    const r = scan("isc-dhcp");
    const cats = linesMatching("isc-dhcp", "debian/dhclient-script.linux", /cat \$new_resolv_conf > \$resolv_conf/);
    expect(cats).toHaveLength(2);
    for (const l of cats) {
      const f = r.findings.find((x) => x.path === "debian/dhclient-script.linux" && x.line === l)!;
      expect(f.message).toMatch(/\/etc\/resolv\.conf under \/etc at runtime \(>\)/);
    }
  });

  it("does not flag the maintainer scripts or the classless-routes hook", () => {
    const r = scan("isc-dhcp");
    expect(r.findings.filter((f) => !/dhclient-script\.linux|isc-dhcp-server\.init\.d/.test(f.path))).toEqual([]);
  });
});

describe("util-linux", () => {
  it("finds hwclock --systohc in the stop branch of hwclock.sh, and only that", () => {
    // hwclocksh(): `stop|restart|reload|force-reload)` runs /sbin/hwclock --rtc=/dev/$HCTOSYS_DEVICE --systohc
    // with no configuration guard (debian/util-linux-extra.hwclock.default, read as /etc/default/hwclock, sets nothing).
    const r = scan("util-linux");
    const path = "debian/util-linux-extra.hwclock.sh.init";
    const w = at("util-linux", path, /hwclock .*--systohc/, "/sbin/hwclock");
    expect(gist(r)).toEqual([`ROR104 ${path}:${w.line}:${w.column} shutdown`]);
    expect(w.column).toBe(16);
    expect(roleOf(r, path)).toBe("boot,shutdown");
    // `--show` reads the clock: not flagged (the exact list above has nothing else).
    expect(linesMatching("util-linux", path, /hwclock .*--show/)).toHaveLength(1);
  });
});

describe("ifupdown", () => {
  it("places if-up.d/ and if-down.d/ where debian/install puts them, and the networking init script by --name", () => {
    const r = scan("ifupdown");
    expect(roleOf(r, "debian/if-up.d/resolved")).toBe("network-hook");
    expect(roleOf(r, "debian/if-down.d/resolved")).toBe("network-hook");
    expect(r.scripts.find((s) => s.path === "debian/networking.init")?.kind).toBe("installed at /etc/init.d/networking (debhelper naming (init))");
    expect(roleOf(r, "debian/networking.init")).toBe("boot,shutdown");
  });

  it("has nothing to report: its hooks and init script write under /run only", () => {
    // if-up.d/resolved: mkdir -p /run/network, cat <<EOF >"$mystatedir/ifupdown-..." with mystatedir=/run/network;
    // networking.init: mkdir -p /run/network. The maintainer scripts write /etc, as they may.
    expect(gist(scan("ifupdown"))).toEqual([]);
    expect(linesMatching("ifupdown", "debian/if-up.d/resolved", /mystatedir=\/run\/network/)).toHaveLength(1);
  });
});

describe("openssh", () => {
  it("finds the ssh init script by --name, and the session cleanup an enabled unit runs at shutdown", () => {
    const r = scan("openssh");
    expect(r.scripts.find((s) => s.path === "debian/openssh-server.ssh.init")?.kind).toBe("installed at /etc/init.d/ssh (debhelper naming (init))");
    // LSB: Default-Start 2 3 4 5, no Default-Stop.
    expect(roleOf(r, "debian/openssh-server.ssh.init")).toBe("boot");
    // ssh-session-cleanup.service: WantedBy=multi-user.target, ExecStop=/usr/lib/openssh/ssh-session-cleanup.
    expect(roleOf(r, "debian/systemd/ssh-session-cleanup")).toBe("shutdown");
  });

  it("does not flag host key generation in the postinst (a maintainer script) or mkdir /run/sshd", () => {
    expect(linesMatching("openssh", "debian/openssh-server.postinst", /ssh-keygen -q -f "\$file"/)).toHaveLength(1);
    expect(roleOf(scan("openssh"), "debian/openssh-server.postinst")).toBe("maintainer");
    expect(gist(scan("openssh"))).toEqual([]);
  });
});

describe("cron", () => {
  it("reads the system crontab's jobs as periodic shell at their lines, and reports nothing", () => {
    const r = scan("cron");
    const jobs = linesMatching("cron", "debian/crontab.main", /^\d+ .*root\s.*run-parts/);
    expect(jobs).toHaveLength(4);
    expect(r.scripts.filter((s) => s.path === "debian/crontab.main").map((s) => `${s.line} ${s.roles.join(",")}`)).toEqual(jobs.map((l) => `${l} periodic`));
    expect(roleOf(r, "debian/cron.init")).toBe("boot");
    expect(gist(r)).toEqual([]);
  });
});

describe("others, where the archive serves them", () => {
  it("rsyslog: the logrotate postrotate block is periodic, and so is the script it runs", () => {
    const r = scans.get("rsyslog");
    if (!r) return;
    const post = linesMatching("rsyslog", "debian/rsyslog.logrotate", /postrotate/)[0]!;
    expect(roleOf(r, "debian/rsyslog.logrotate", post + 1)).toBe("periodic");
    expect(roleOf(r, "debian/rsyslog-rotate")).toBe("periodic");
    expect(gist(r)).toEqual([]);
  });

  it("mdadm: cron.d, cron.daily and the shutdown unit are found with their roles", () => {
    const r = scans.get("mdadm");
    if (!r) return;
    expect(roleOf(r, "debian/mdadm.cron.daily")).toBe("periodic");
    expect(r.scripts.some((s) => s.path === "debian/mdadm.cron.d" && s.roles.includes("periodic"))).toBe(true);
    expect(roleOf(r, "debian/mdadm.mdadm-shutdown.service")).toBe("shutdown");
  });

  it("chrony: network hooks by name and by debian/rules, none of which writes outside /run", () => {
    const r = scans.get("chrony");
    if (!r) return;
    for (const p of ["debian/chrony.if-up", "debian/chrony.if-post-down", "debian/chrony.ppp.ip-up", "debian/chrony.dhcp"]) expect(roleOf(r, p), p).toBe("network-hook");
    // chrony.dhcp writes $CHRONY_SOURCEDIR/$interface.sources with CHRONY_SOURCEDIR=/run/chrony-dhcp.
    expect(linesMatching("chrony", "debian/chrony.dhcp", /^CHRONY_SOURCEDIR=\/run\/chrony-dhcp$/)).toHaveLength(1);
    // chrony-helper rewrites /etc/chrony/chrony.conf only for `set-static-sources`, an administrator's command;
    // the only unit that runs it is chrony-dnssrv@.service, from a template timer no installation enables.
    expect(roleOf(r, "debian/chrony-helper")).toBe("other");
    expect(gist(r)).toEqual([]);
  });
});

describe("SARIF from a real debian/ directory", () => {
  it("passes Sarif.Multitool validate --rule-kind Gh;Sarif with no errors and no warnings", () => {
    const work = mkdtempSync(join(tmpdir(), "rorlint-repo-debian-sarif-"));
    try {
      const file = join(work, "isc-dhcp.sarif");
      writeFileSync(file, formatSarif([scan("isc-dhcp"), scan("util-linux")], {}));
      const v = validateSarif(file);
      expect(v.messages).toEqual([]);
      expect(v.errors).toBe(0);
      expect(v.warnings).toBe(0);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 120_000);
});
