import type { RuleCases } from "../../src/engine/rule.js";

/** Debian initscripts' /lib/init/mount-functions.sh, reduced to mount_tmp and domount. */
const MOUNT_FUNCTIONS = [
  "domount () {",
  '\tMOUNTMODE="$1"',
  '\tmount -t "$2" -o "$6" "$3" "$4"',
  "}",
  "",
  "mount_tmp () {",
  '\tMNTMODE="$1"',
  "\t# If root is read only, default to mounting a tmpfs on /tmp,",
  "\t# unless one is due to be mounted from fstab.",
  '\tif [ "$RAMTMP" != "yes" ] && [ rw != "$rootmode" ]; then',
  "\t\tif read_fstab_entry /tmp ; then",
  "\t\t\t:",
  "\t\telse",
  '\t\t\tlog_warning_msg "Root filesystem is read-only; mounting tmpfs on /tmp"',
  '\t\t\tRAMTMP="yes"',
  "\t\tfi",
  "\tfi",
  "\tif [ yes = \"$RAMTMP\" ]; then",
  '\t\tdomount "$MNTMODE" tmpfs shmfs /tmp tmpfs "-onosuid,nodev"',
  "\tfi",
  "}",
  "",
].join("\n");

const MOUNTALL = '#!/bin/sh\n. /lib/init/mount-functions.sh\n. /etc/default/tmpfs\ncase "$1" in\n  start|"") mount_tmp mount_noupdate ;;\nesac\n';
const DEFAULT_TMPFS = "# Set RAMTMP to yes to mount a tmpfs on /tmp.\n#RAMTMP=no\n";

export const cases: RuleCases = {
  valid: [
    {
      name: "a tmpfs line in fstab",
      files: { "etc/fstab": "/dev/sda1 / ext4 ro 0 1\ntmpfs /tmp tmpfs nosuid,nodev,mode=1777 0 0\n" },
    },
    {
      name: "a separate writable filesystem on /tmp",
      files: { "etc/fstab": "/dev/sda1 / ext4 ro 0 1\nLABEL=scratch /tmp ext4 defaults 0 2\n" },
    },
    {
      name: "RAMTMP=yes in /etc/default/tmpfs",
      files: { "etc/default/tmpfs": "# Mount a tmpfs on /tmp\nRAMTMP=yes\n" },
    },
    {
      name: "systemd with tmp.mount enabled by the vendor (Debian 13)",
      files: {
        "sbin/init": { symlink: "../usr/lib/systemd/systemd" },
        "usr/lib/systemd/systemd": "\x7fELF",
        "usr/lib/systemd/system/tmp.mount": "[Unit]\nDescription=Temporary Directory /tmp\n\n[Mount]\nWhat=tmpfs\nWhere=/tmp\nType=tmpfs\nOptions=mode=1777,strictatime,nosuid,nodev\n",
        "usr/lib/systemd/system/local-fs.target.wants/tmp.mount": { symlink: "../tmp.mount" },
      },
    },
    {
      name: "Debian initscripts: mount_tmp mounts a tmpfs when the root is read-only",
      code: MOUNTALL,
      files: { "lib/init/mount-functions.sh": MOUNT_FUNCTIONS, "etc/default/tmpfs": DEFAULT_TMPFS },
    },
    {
      name: "/tmp links into /run",
      files: { tmp: { symlink: "run/tmp" } },
    },
  ],
  invalid: [
    {
      name: "nothing mounts /tmp",
      files: { "etc/fstab": "/dev/sda1 / ext4 ro 0 1\n" },
      errors: [{ path: "etc/fstab", line: 1 }],
    },
    {
      name: "fstab mounts /tmp read-only",
      files: { "etc/fstab": "/dev/sda1 / ext4 ro 0 1\n/dev/sda3 /tmp ext4 ro,nosuid 0 2\n" },
      errors: [{ path: "etc/fstab", line: 2 }],
    },
    {
      name: "systemd, tmp.mount shipped but masked in /etc",
      files: {
        "etc/fstab": "/dev/sda1 / ext4 ro 0 1\n",
        "sbin/init": { symlink: "../usr/lib/systemd/systemd" },
        "usr/lib/systemd/systemd": "\x7fELF",
        "usr/lib/systemd/system/tmp.mount": "[Mount]\nWhat=tmpfs\nWhere=/tmp\nType=tmpfs\n",
        "usr/lib/systemd/system/local-fs.target.wants/tmp.mount": { symlink: "../tmp.mount" },
        "etc/systemd/system/tmp.mount": { symlink: "/dev/null" },
      },
      errors: [{ path: "etc/fstab", line: 1 }],
    },
    {
      name: "a boot script mounts a tmpfs on /tmp only when the administrator asks",
      code: '#!/bin/sh\n. /etc/default/tmpfs\nif [ "$RAMTMP" = yes ]; then\n  mount -t tmpfs -o nosuid,nodev tmpfs /tmp\nfi\n',
      files: { "etc/fstab": "/dev/sda1 / ext4 ro 0 1\n", "etc/default/tmpfs": DEFAULT_TMPFS },
      errors: [{ path: "etc/fstab", line: 1 }],
    },
    {
      name: "RAMTMP=no, and a tmp.mount that sysvinit never reads",
      files: {
        "etc/fstab": "/dev/sda1 / ext4 ro 0 1\n",
        "sbin/init": "\x7fELF sysvinit",
        "etc/default/tmpfs": "RAMTMP=no\n",
        "lib/systemd/system/tmp.mount": "[Mount]\nWhat=tmpfs\nWhere=/tmp\nType=tmpfs\n",
        "etc/systemd/system/local-fs.target.wants/tmp.mount": { symlink: "/lib/systemd/system/tmp.mount" },
      },
      errors: [{ path: "etc/fstab", line: 1 }],
    },
  ],
};
