/**
 * Root filesystem rules (ROR203-ROR208) on the six real Debian trees of the
 * corpus cache. Every finding below was checked by reading the tree:
 *
 * - ROR204: every tree has debootstrap's "# UNCONFIGURED FSTAB FOR BASE
 *   SYSTEM" fstab, with no entry for /.
 * - ROR205: the minbase trees have no init and nothing that mounts /tmp;
 *   the sysvinit, OpenRC and runit trees boot through initscripts'
 *   mountall.sh (rcS.d/S06, OpenRC's sysinit runlevel, runit's stage 1),
 *   whose mount_tmp mounts a tmpfs on /tmp when the root is read-only.
 * - ROR206: the /var skeleton and the directories listed, which no boot
 *   script recreates (mountall.sh makes /var/log/fsck; post_mountall makes
 *   /var/run and /var/lock). None of these trees applies tmpfiles.d at boot
 *   (no systemd, no systemd-tmpfiles or opentmpfiles step), so Debian 13's
 *   cron-daemon-common.conf (`d /var/spool/cron/crontabs`) creates nothing.
 * - ROR203, ROR207, ROR208: quiet. resolv.conf links into /run where
 *   dhclient and resolvconf are installed and is a static file where nothing
 *   rewrites it; no tree boots systemd; /var/run and /var/lock are links.
 */
import { describe, expect, it } from "vitest";
import { ensureCorpus } from "../src/corpus/build.js";
import { scanPath } from "../src/scan.js";

const SKELETON_WITH_INIT = "var:1 (backups, cache, local, mail, opt, tmp)";
const SKELETON_NO_INIT = "var:1 (backups, cache, local, lock, log, mail, opt, run, tmp)";

const EXPECTED: Record<string, { findings: string[]; skeleton: string; init: string }> = {
  "debian-12-sysvinit": {
    init: "sysvinit",
    skeleton: SKELETON_WITH_INIT,
    findings: [
      "ROR204 etc/fstab:1",
      "ROR206 var:1",
      "ROR206 var/lib/dhcp:1",
      "ROR206 var/lib/initscripts:1",
      "ROR206 var/lib/misc:1",
      "ROR206 var/lib/urandom:1",
      "ROR206 var/log/runit:1",
      "ROR206 var/spool/cron:1",
      "ROR206 var/spool/mail:1",
      "ROR206 var/spool/rsyslog:1",
    ],
  },
  "debian-13-sysvinit": {
    init: "sysvinit",
    skeleton: SKELETON_WITH_INIT,
    findings: [
      "ROR204 etc/fstab:1",
      "ROR206 var:1",
      "ROR206 var/lib/dhcp:1",
      "ROR206 var/lib/initscripts:1",
      "ROR206 var/lib/misc:1",
      "ROR206 var/lib/urandom:1",
      "ROR206 var/lib/wtmpdb:1",
      "ROR206 var/log/runit:1",
      "ROR206 var/spool/cron:1",
      "ROR206 var/spool/mail:1",
      "ROR206 var/spool/rsyslog:1",
    ],
  },
  "debian-12-openrc": {
    init: "sysvinit",
    skeleton: SKELETON_WITH_INIT,
    findings: ["ROR204 etc/fstab:1", "ROR206 var:1", "ROR206 var/lib/initscripts:1", "ROR206 var/lib/misc:1", "ROR206 var/lib/urandom:1", "ROR206 var/spool/mail:1"],
  },
  "debian-12-runit": {
    init: "runit",
    skeleton: SKELETON_WITH_INIT,
    findings: ["ROR204 etc/fstab:1", "ROR206 var:1", "ROR206 var/lib/initscripts:1", "ROR206 var/lib/misc:1", "ROR206 var/lib/urandom:1", "ROR206 var/spool/mail:1"],
  },
  "debian-12-minbase": {
    init: "none",
    skeleton: SKELETON_NO_INIT,
    findings: ["ROR204 etc/fstab:1", "ROR205 etc/fstab:1", "ROR206 var:1", "ROR206 var/lib/misc:1", "ROR206 var/spool/mail:1"],
  },
  "debian-13-minbase": {
    init: "none",
    skeleton: SKELETON_NO_INIT,
    findings: ["ROR204 etc/fstab:1", "ROR205 etc/fstab:1", "ROR206 var:1", "ROR206 var/lib/misc:1", "ROR206 var/spool/mail:1"],
  },
};

for (const [name, want] of Object.entries(EXPECTED)) {
  describe(name, () => {
    it(
      "gives exactly the ROR203-ROR208 findings checked by hand",
      async () => {
        const result = await scanPath(await ensureCorpus(name));
        const got = result.findings.filter((f) => /^ROR20[3-8]$/.test(f.ruleId)).map((f) => `${f.ruleId} ${f.path}:${f.line}`);
        expect(got.sort()).toEqual([...want.findings].sort());
        expect(result.facts.init.system).toBe(want.init);
        const skeleton = result.findings.find((f) => f.ruleId === "ROR206" && f.path === "var")!;
        const members = /\(([^)]*)\)/.exec(skeleton.message)?.[1];
        expect(`var:1 (${members})`).toBe(want.skeleton);
        // Where initscripts run, mount_tmp is recognised as mounting a tmpfs on /tmp when the root is read-only.
        const tmp = result.facts.bootMounts.find((m) => m.path === "/tmp");
        if (want.init !== "none") expect(tmp).toMatchObject({ file: "/usr/lib/init/mount-functions.sh", whenReadOnly: true });
        // Nothing applies tmpfiles.d on these boots; without an init the tree is judged leniently.
        expect(result.facts.tmpfilesRunner).toBe(want.init === "none" ? "assumed" : null);
      },
      900_000,
    );
  });
}
