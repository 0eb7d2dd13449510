import type { RuleCases } from "../../src/engine/rule.js";

/** A legacy image: /etc/mtab shipped as a regular file. */
const MTAB_FILE = { "etc/mtab": "/dev/sda1 / ext4 rw 0 0\nproc /proc proc rw 0 0\n" };

/** Reads the root's mode from fstab, as Debian's checkroot.sh does. */
const READ_ROOTMODE = [
  "rootmode=rw",
  "exec 9<&0 </etc/fstab",
  "while read DEV MTPT FSTYPE OPTS REST; do",
  '    [ "$MTPT" = / ] || continue',
  '    case ",$OPTS," in *,ro,*) rootmode=ro ;; esac',
  "done",
  "exec 0<&9 9<&-",
];

export const cases: RuleCases = {
  valid: [
    {
      name: "link repaired only when the root is writable (rootmode from fstab)",
      code: [
        "#!/bin/sh",
        ...READ_ROOTMODE,
        'if [ "$rootmode" != ro ]; then',
        "    ln -sf /proc/self/mounts /etc/mtab",
        "fi",
        "",
      ].join("\n"),
    },
    {
      name: "rebuilt only when the root is writable (regular mtab in the image)",
      code: [
        "#!/bin/sh",
        ...READ_ROOTMODE,
        'if [ "$rootmode" != ro ] && [ ! -L /etc/mtab ]; then',
        "    cat /proc/mounts > /etc/mtab",
        "fi",
        "",
      ].join("\n"),
      files: MTAB_FILE,
    },
    {
      name: "guarded by [ -w /etc ]",
      code: "#!/bin/sh\n[ -w /etc ] && ln -sf ../proc/self/mounts /etc/mtab\n",
    },
    {
      name: "reading /etc/mtab and /proc/mounts",
      path: "etc/cron.daily/exampled-df",
      code: "#!/bin/sh\ngrep -q ' /srv ' /etc/mtab || exit 0\ncut -d' ' -f2 /proc/mounts > /run/exampled-mounts\n",
    },
    {
      name: "a maintainer script creates the link",
      path: "var/lib/dpkg/info/initscripts.postinst",
      code: [
        "#!/bin/sh",
        "set -e",
        "if [ ! -L /etc/mtab ]; then",
        "    rm -f /etc/mtab",
        "    ln -s ../proc/self/mounts /etc/mtab",
        "fi",
        "",
      ].join("\n"),
    },
    {
      name: "a user command",
      path: "usr/bin/fix-mtab",
      code: "#!/bin/sh\nln -sf /proc/self/mounts /etc/mtab\n",
    },
  ],
  invalid: [
    {
      name: "cat /proc/mounts > /etc/mtab at boot (regular mtab in the image)",
      code: "#!/bin/sh\nmount -t proc proc /proc\ncat /proc/mounts > /etc/mtab\n",
      files: MTAB_FILE,
      errors: [{ line: 3 }],
    },
    {
      name: "ln -sf /proc/self/mounts /etc/mtab at boot",
      code: "#!/bin/sh\nln -sf /proc/self/mounts /etc/mtab\n",
      errors: [{ line: 2 }],
    },
    {
      name: "[ ! -L /etc/mtab ] tests the link, not whether the root is writable",
      path: "etc/init.d/mtab.sh",
      code: [
        "#!/bin/sh",
        "### BEGIN INIT INFO",
        "# Provides:          mtab",
        "# Default-Start:     S",
        "### END INIT INFO",
        'case "$1" in',
        "  start|\"\")",
        "    if [ ! -L /etc/mtab ]; then",
        "        grep -v '^rootfs ' /proc/mounts > /etc/mtab",
        "    fi",
        "    ;;",
        "esac",
        "",
      ].join("\n"),
      files: MTAB_FILE,
      errors: [{ line: 9 }],
    },
    {
      name: "rm then ln -s in an OpenRC service",
      path: "etc/init.d/mtab",
      code: [
        "#!/sbin/openrc-run",
        'description="Update the contents of /etc/mtab."',
        "start() {",
        '    ebegin "Linking /etc/mtab to /proc/mounts"',
        "    rm -f /etc/mtab",
        "    ln -s /proc/mounts /etc/mtab",
        "    eend $?",
        "}",
        "",
      ].join("\n"),
      files: MTAB_FILE,
      errors: [{ line: 5 }, { line: 6 }],
    },
    {
      name: "a user configuration switch is not a writable-root test",
      code: [
        "#!/bin/sh",
        ". /etc/default/rcS",
        'if [ "$MTAB_FILE" = yes ]; then',
        "    cat /proc/mounts > /etc/mtab",
        "else",
        "    ln -sf /proc/self/mounts /etc/mtab",
        "fi",
        "",
      ].join("\n"),
      files: { ...MTAB_FILE, "etc/default/rcS": "#MTAB_FILE=no\n" },
      errors: [{ line: 4 }, { line: 6 }],
    },
  ],
};
