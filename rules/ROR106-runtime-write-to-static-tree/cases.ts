import type { RuleCases } from "../../src/engine/rule.js";

export const cases: RuleCases = {
  valid: [
    {
      name: "depmod, update-initramfs and a write to /usr in a postinst",
      path: "var/lib/dpkg/info/exampled-modules.postinst",
      code: [
        "#!/bin/sh",
        "set -e",
        "KVER=6.1.0-18-amd64",
        'if [ "$1" = configure ]; then',
        '    depmod -a "$KVER"',
        '    update-initramfs -u -k "$KVER"',
        "    hostname > /usr/share/exampled/node-name",
        "fi",
        "",
      ].join("\n"),
    },
    {
      name: "/opt mounted from fstab as its own writable filesystem",
      code: "#!/bin/sh\nmkdir -p /opt/exampled/run\ndate > /opt/exampled/run/boot\n",
      files: { "etc/fstab": "/dev/sda1 / ext4 ro 0 1\n/dev/sda3 /opt ext4 defaults,nodev 0 2\n" },
    },
    {
      name: "runtime data goes to /run and /var",
      code: [
        "#!/bin/sh",
        "mkdir -p /run/exampled",
        "hostname > /run/exampled/node-name",
        "modprobe -a exampled 2>/dev/null",
        "cat /usr/share/exampled/defaults > /var/lib/exampled.defaults",
        "",
      ].join("\n"),
    },
    {
      name: "commands that only read: depmod -n, update-initramfs without an action",
      code: "#!/bin/sh\ndepmod -n > /run/modules.dep.preview\nupdate-initramfs -h >/dev/null 2>&1 || true\n",
    },
    {
      name: "guarded by [ -w / ]",
      code: "#!/bin/sh\nif [ -w / ]; then\n    depmod -a\nfi\n",
    },
    {
      name: "a user command",
      path: "usr/bin/rebuild-initrd",
      code: "#!/bin/sh\nupdate-initramfs -u\n",
    },
    {
      name: "/usr/local is a link into /var in the tree (as on ostree systems)",
      path: "etc/cron.daily/exampled-cache",
      code: "#!/bin/sh\nexampled --dump > /usr/local/share/exampled/cache\n",
      files: { "usr/local": { symlink: "../var/usrlocal" } },
    },
  ],
  invalid: [
    {
      name: "depmod, update-initramfs -u and > /usr/share/x in a boot script",
      path: "etc/init.d/exampled-modules",
      code: [
        "#!/bin/sh",
        "### BEGIN INIT INFO",
        "# Provides:          exampled-modules",
        "# Default-Start:     S",
        "### END INIT INFO",
        'case "$1" in',
        "  start)",
        "    depmod -a",
        "    update-initramfs -u",
        "    hostname > /usr/share/exampled/node-name",
        "    ;;",
        "esac",
        "",
      ].join("\n"),
      errors: [{ line: 8 }, { line: 9 }, { line: 10 }],
    },
    {
      name: "depmod when a new kernel shows up, at boot",
      code: [
        "#!/bin/sh",
        'KVER="$(uname -r)"',
        'if [ ! -f "/lib/modules/$KVER/modules.dep" ]; then',
        '    depmod -a "$KVER"',
        "fi",
        "",
      ].join("\n"),
      errors: [{ line: 4 }],
    },
    {
      name: "mkdir under /opt without a separate /opt filesystem",
      code: "#!/bin/sh\nmkdir -p /opt/exampled/run\n",
      errors: [{ line: 2 }],
    },
    {
      name: "a cron job writing into /usr/lib and /boot",
      path: "etc/cron.weekly/exampled-refresh",
      code: [
        "#!/bin/sh",
        "exampled --gen-db > /usr/lib/exampled/db.bin",
        "cp /var/lib/exampled/splash.png /boot/grub/splash.png",
        "update-mime-database /usr/share/mime",
        "",
      ].join("\n"),
      errors: [{ line: 2 }, { line: 3 }, { line: 4 }],
    },
    {
      name: "a network hook writing under /usr/local",
      path: "etc/network/if-up.d/exampled",
      code: '#!/bin/sh\necho "$IFACE $ADDRFAM" >> /usr/local/share/exampled/ifaces\n',
      errors: [{ line: 2 }],
    },
    {
      name: "a shutdown script removing files from /sbin and /lib",
      path: "etc/rc.shutdown",
      code: "#!/bin/sh\nrm -f /sbin/exampled.old\nrm -rf /lib/exampled/tmp\n",
      errors: [{ line: 2 }, { line: 3 }],
    },
  ],
};
