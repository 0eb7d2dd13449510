/**
 * The writable model of a root filesystem (src/rootfs/writable.ts): which
 * paths may be written at runtime once / is read-only, from the FHS
 * defaults, links in the tree, fstab, enabled mount units,
 * /etc/default/tmpfs, rwtab, boot scripts' tmpfs mounts and the
 * configuration; and how ROR105, ROR106 and ROR107 use it.
 */
import { afterAll, describe, expect, it } from "vitest";
import { scanPath, type ScanResult } from "../src/scan.js";
import { RULES } from "../rules/index.js";
import { makeTree, removeTree, SKELETON, type TreeSpec } from "./helpers.js";

const trees: string[] = [];
afterAll(() => {
  for (const t of trees) removeTree(t);
});

async function scan(spec: TreeSpec, ruleIds: string[] = [], options: { writable?: string[] } = {}): Promise<ScanResult> {
  const tree = makeTree({ ...SKELETON, ...spec });
  trees.push(tree);
  return scanPath(tree, { rules: RULES.filter((r) => ruleIds.includes(r.id)), ...options });
}

const where = (r: ScanResult, rule: string) => r.findings.filter((f) => f.ruleId === rule).map((f) => `${f.path}:${f.line}`);

describe("FHS defaults and links", () => {
  it("treats /var, /tmp, /run, /home, /srv, /media, /root and the kernel filesystems as writable, and nothing else", async () => {
    const { facts } = await scan({});
    for (const p of ["/var/lib/x", "/tmp/x", "/run/x", "/home/u/x", "/srv/x", "/media/usb", "/root/.profile", "/dev/shm/x", "/proc/sys/x"]) expect(facts.isWritable(p), p).toBe(true);
    for (const p of ["/etc/x", "/usr/lib/x", "/lib/modules/x", "/boot/grub/grub.cfg", "/opt/x", "/bin/x", "/x"]) expect(facts.isWritable(p), p).toBe(false);
  });

  it("follows links inside the tree: /etc/resolv.conf into /run is writable, a regular file is not", async () => {
    const linked = await scan({ "etc/resolv.conf": { symlink: "../run/resolvconf/resolv.conf" }, "etc/ntp.d": { symlink: "/var/lib/ntp.d" } });
    expect(linked.facts.isWritable("/etc/resolv.conf")).toBe(true);
    expect(linked.facts.isWritable("/etc/ntp.d/eth0.conf")).toBe(true);
    const plain = await scan({ "etc/resolv.conf": "nameserver 192.0.2.1\n" });
    expect(plain.facts.isWritable("/etc/resolv.conf")).toBe(false);
  });

  it("ROR105: `cat x > /etc/resolv.conf` in a network hook is fine through a link into /run, an error on a regular file", async () => {
    const hook = { "etc/network/if-up.d/dns": '#!/bin/sh\ncat /run/dns.new > /etc/resolv.conf\n' };
    const linked = await scan({ ...hook, "etc/resolv.conf": { symlink: "../run/resolvconf/resolv.conf" } }, ["ROR105"]);
    expect(where(linked, "ROR105")).toEqual([]);
    const plain = await scan({ ...hook, "etc/resolv.conf": "nameserver 192.0.2.1\n" }, ["ROR105"]);
    expect(where(plain, "ROR105")).toEqual(["etc/network/if-up.d/dns:2"]);
  });
});

describe("fstab", () => {
  const fstab = [
    "/dev/sda1 / ext4 ro 0 1",
    "tmpfs /etc/network/run tmpfs mode=0755 0 0",
    "/dev/sda2 /usr ext4 defaults 0 2",
    "/dev/sda3 /home ext4 ro,nosuid 0 2",
    "/var/lib/hostkeys /etc/ssh/keys none bind 0 0",
    "/dev/sdb1 /mnt/data ext4 defaults 0 2",
    "/dev/sdc1 /mnt/later ext4 noauto 0 2",
    "/swapfile none swap sw 0 0",
    "",
  ].join("\n");

  it("tmpfs anywhere is writable (and volatile); ro mounts are not, even in an FHS default; bind mounts follow their source", async () => {
    const { facts } = await scan({ "etc/fstab": fstab });
    expect(facts.isWritable("/etc/network/run/ifstate")).toBe(true);
    expect(facts.writable.areaFor("/etc/network/run/ifstate")).toMatchObject({ source: "fstab", volatile: true, decidedAt: { path: "/etc/fstab", line: 2 } });
    expect(facts.isWritable("/home/u/x")).toBe(false);
    expect(facts.isWritable("/etc/ssh/keys/ssh_host_ed25519_key")).toBe(true);
    expect(facts.isWritable("/mnt/data/x")).toBe(true);
    expect(facts.isWritable("/mnt/later/x")).toBe(false);
    expect(facts.isWritable("/etc/ssh/sshd_config")).toBe(false);
  });

  it("a persistent filesystem on a static tree (/usr) does not make it writable", async () => {
    const { facts } = await scan({ "etc/fstab": fstab });
    expect(facts.isWritable("/usr/lib/x")).toBe(false);
    const r = await scan({ "etc/fstab": fstab, "etc/rc.local": "#!/bin/sh\necho 1 > /usr/lib/stamp\n" }, ["ROR106"]);
    expect(where(r, "ROR106")).toEqual(["etc/rc.local:2"]);
  });

  it("ROR106 is quiet for a tmpfs that fstab mounts over part of /usr", async () => {
    const r = await scan({ "etc/fstab": "/dev/sda1 / ext4 ro 0 1\ntmpfs /usr/lib/exampled/cache tmpfs defaults 0 0\n", "etc/rc.local": "#!/bin/sh\necho 1 > /usr/lib/exampled/cache/stamp\n" }, ["ROR106"]);
    expect(where(r, "ROR106")).toEqual([]);
  });
});

describe("systemd mount units", () => {
  const systemd: TreeSpec = {
    "sbin/init": { symlink: "../lib/systemd/system/../systemd" },
    "lib/systemd/systemd": "\x7fELF",
    "lib/systemd/system/etc-exampled.mount": "[Unit]\nDescription=Runtime state of exampled\n\n[Mount]\nWhat=tmpfs\nWhere=/etc/exampled\nType=tmpfs\n\n[Install]\nWantedBy=local-fs.target\n",
  };

  it("counts an enabled .mount unit, at its Where= line", async () => {
    const { facts } = await scan({ ...systemd, "etc/systemd/system/local-fs.target.wants/etc-exampled.mount": { symlink: "/lib/systemd/system/etc-exampled.mount" } });
    expect(facts.init.system).toBe("systemd");
    expect(facts.isWritable("/etc/exampled/state")).toBe(true);
    expect(facts.writable.areaFor("/etc/exampled/state")).toMatchObject({ source: "mount-unit", decidedAt: { path: "/lib/systemd/system/etc-exampled.mount", line: 6 } });
  });

  it("ignores a unit that is not enabled, or masked, or on a system that systemd does not boot", async () => {
    expect((await scan(systemd)).facts.isWritable("/etc/exampled/state")).toBe(false);
    const masked = await scan({ ...systemd, "etc/systemd/system/local-fs.target.wants/etc-exampled.mount": { symlink: "/lib/systemd/system/etc-exampled.mount" }, "etc/systemd/system/etc-exampled.mount": { symlink: "/dev/null" } });
    expect(masked.facts.isWritable("/etc/exampled/state")).toBe(false);
    const sysv = await scan({ ...systemd, "sbin/init": "\x7fELF sysvinit", "etc/systemd/system/local-fs.target.wants/etc-exampled.mount": { symlink: "/lib/systemd/system/etc-exampled.mount" } });
    expect(sysv.facts.init.system).toBe("sysvinit");
    expect(sysv.facts.isWritable("/etc/exampled/state")).toBe(false);
  });
});

describe("/etc/default/tmpfs, rwtab, boot scripts, configuration", () => {
  it("RAMTMP=yes puts /tmp on a tmpfs (decided at its line)", async () => {
    const { facts } = await scan({ "etc/fstab": "/dev/sda1 / ext4 ro 0 1\n", "etc/default/tmpfs": "# tmpfs\nRAMLOCK=no\nRAMTMP=yes\n" });
    expect(facts.writable.areaFor("/tmp/x")).toMatchObject({ source: "default-tmpfs", volatile: true, decidedAt: { path: "/etc/default/tmpfs", line: 3 } });
    expect(facts.writable.areaFor("/run/lock/x")?.source).toBe("fhs");
  });

  it("rwtab and rwtab.d entries are writable (dirs, empty, files)", async () => {
    const { facts } = await scan({ "etc/rwtab": "files\t/etc/adjtime\n", "etc/rwtab.d/exampled": "dirs /var/lib/exampled\nempty /etc/exampled.d\n" });
    expect(facts.isWritable("/etc/adjtime")).toBe(true);
    expect(facts.isWritable("/etc/adjtime.bak")).toBe(false);
    expect(facts.isWritable("/etc/exampled.d/x")).toBe(true);
    expect(facts.writable.areaFor("/etc/adjtime")).toMatchObject({ source: "rwtab", decidedAt: { path: "/etc/rwtab", line: 1 } });
    const r = await scan({ "etc/rwtab": "files /etc/exampled.state\n", "etc/rc.local": "#!/bin/sh\ndate > /etc/exampled.state\ndate > /etc/other.state\n" }, ["ROR105"]);
    expect(where(r, "ROR105")).toEqual(["etc/rc.local:3"]);
  });

  it("a tmpfs that a boot script mounts unconditionally is writable; one that user configuration decides is not", async () => {
    const always = await scan({ "etc/rc.local": "#!/bin/sh\nmount -t tmpfs -o mode=0755 tmpfs /etc/network/run\necho up > /etc/network/run/ifstate\n" }, ["ROR105"]);
    expect(always.facts.bootMounts).toMatchObject([{ path: "/etc/network/run", whenReadOnly: true, file: "/etc/rc.local", line: 2 }]);
    expect(where(always, "ROR105")).toEqual([]);
    const asked = await scan({ "etc/default/netrun": "#NETRUN_TMPFS=no\n", "etc/rc.local": '#!/bin/sh\n. /etc/default/netrun\nif [ "$NETRUN_TMPFS" = yes ]; then\n  mount -t tmpfs tmpfs /etc/network/run\nfi\n' });
    expect(asked.facts.bootMounts).toMatchObject([{ path: "/etc/network/run", whenReadOnly: false }]);
    expect(asked.facts.isWritable("/etc/network/run/x")).toBe(false);
  });

  it('a mount under `[ "$rootmode" != rw ]` happens when the root is read-only; one under `= rw` does not', async () => {
    const ro = await scan({ "etc/rc.local": '#!/bin/sh\nrootmode=rw\ngrep -qw ro /proc/cmdline && rootmode=ro\nif [ "$rootmode" != rw ]; then\n  mount -t tmpfs tmpfs /srv/cache\nfi\nif [ "$rootmode" = rw ]; then\n  mount -t tmpfs tmpfs /etc/cache\nfi\n' });
    expect(ro.facts.bootMounts.map((m) => [m.path, m.whenReadOnly])).toEqual([
      ["/srv/cache", true],
      ["/etc/cache", false],
    ]);
  });

  it("paths the configuration declares writable (writableMounts.add) count", async () => {
    const r = await scan({ "etc/rc.local": "#!/bin/sh\nssh-keygen -A\n" }, ["ROR105"], { writable: ["/etc/ssh"] });
    expect(r.facts.isWritable("/etc/ssh/ssh_host_rsa_key")).toBe(true);
    expect(where(r, "ROR105")).toEqual([]);
    expect(r.facts.writableMounts.has("/etc/ssh")).toBe(true);
    expect(r.facts.writableMounts.has("/var")).toBe(true);
  });
});

describe("overlayroot", () => {
  it('is recorded, and does not make /etc writable: the image is judged for a real read-only root', async () => {
    const r = await scan({ "etc/overlayroot.conf": 'overlayroot=""\n', "etc/overlayroot.local.conf": 'overlayroot="tmpfs:swap=1,recurse=0"\n', "etc/rc.local": "#!/bin/sh\ndate > /etc/last-boot\n" }, ["ROR105"]);
    expect(r.facts.overlayroot).toMatchObject({ kind: "tmpfs", decidedAt: { file: "/etc/overlayroot.local.conf", line: 1 } });
    expect(r.facts.isWritable("/etc/last-boot")).toBe(false);
    expect(where(r, "ROR105")).toEqual(["etc/rc.local:2"]);
  });

  it('is off when overlayroot="" or "disabled"', async () => {
    expect((await scan({ "etc/overlayroot.conf": 'overlayroot=""\n' })).facts.overlayroot).toBeNull();
    expect((await scan({ "etc/overlayroot.conf": 'overlayroot="tmpfs"\n', "etc/overlayroot.local.conf": 'overlayroot="disabled"\n' })).facts.overlayroot).toBeNull();
  });
});

describe("ROR107 and links", () => {
  it("rewriting /etc/mtab is reported when it is a regular file, and through a link into /run it is not a write to /etc", async () => {
    const script = { "etc/rc.local": "#!/bin/sh\ncat /proc/mounts > /etc/mtab\n" };
    const file = await scan({ ...script, "etc/mtab": "/dev/sda1 / ext4 rw 0 0\n" }, ["ROR107"]);
    expect(where(file, "ROR107")).toEqual(["etc/rc.local:2"]);
    const run = await scan({ ...script, "etc/mtab": { symlink: "../run/mtab" } }, ["ROR107"]);
    expect(where(run, "ROR107")).toEqual([]);
  });
});

describe("tmpfiles.d needs something that applies it at boot", () => {
  const conf = { "usr/lib/tmpfiles.d/exampled.conf": "d /var/lib/exampled 0755 root root -\n", "var/lib/exampled/.keep": "" };

  it("systemd applies it", async () => {
    const r = await scan({ ...conf, "sbin/init": { symlink: "../lib/systemd/systemd" }, "lib/systemd/systemd": "\x7fELF" }, ["ROR206"]);
    expect(r.facts.tmpfilesRunner).toBe("systemd");
    expect(r.facts.createdAtBootTime("/var/lib/exampled")).toBe(true);
  });

  it("a sysvinit boot without a tmpfiles step does not: the lines are inert", async () => {
    const r = await scan({ ...conf, "sbin/init": "\x7fELF sysvinit" }, ["ROR206"]);
    expect(r.facts.tmpfilesRunner).toBeNull();
    expect(r.facts.tmpfilesInert.map((l) => l.path)).toEqual(["/var/lib/exampled"]);
    expect(r.facts.createdAtBootTime("/var/lib/exampled")).toBe(false);
    expect(r.findings.map((f) => `${f.ruleId} ${f.path}:${f.line}`)).toContain("ROR206 var/lib/exampled:1");
  });

  it("a sysvinit boot script that runs systemd-tmpfiles --create does", async () => {
    const r = await scan({ ...conf, "sbin/init": "\x7fELF sysvinit", "etc/rc.local": "#!/bin/sh\nsystemd-tmpfiles --create --remove --boot\n" }, ["ROR206"]);
    expect(r.facts.tmpfilesRunner).toBe("etc/rc.local:2");
    expect(r.facts.createdAtBootTime("/var/lib/exampled")).toBe(true);
  });
});
