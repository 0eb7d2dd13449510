import type { RuleCases } from "../../src/engine/rule.js";

export const cases: RuleCases = {
  valid: [
    {
      name: "fstab decides: remount without a mode",
      code: "#!/bin/sh\nmount -n -o remount /\n",
    },
    {
      name: "mode read from fstab (the pattern of Debian's checkroot.sh)",
      code: [
        "#!/bin/sh",
        "rootmode=rw",
        "exec 9<&0 </etc/fstab",
        "while read DEV MTPT FSTYPE OPTS REST; do",
        '  [ "$MTPT" = / ] || continue',
        '  case ",$OPTS," in *,ro,*) rootmode=ro ;; esac',
        "done",
        "exec 0<&9 9<&-",
        "if ! mount -n -o remount,$rootopts,$rootmode $fstabroot / 2>/dev/null; then",
        "  mount -n -o remount,$rootopts,$rootmode /",
        "fi",
        "",
      ].join("\n"),
    },
    {
      name: "mode from the kernel command line",
      code: '#!/bin/sh\nif grep -qw rw /proc/cmdline; then\n  mount -o remount,rw /\nfi\n',
    },
    {
      name: "remount under a user configuration variable",
      code: '#!/bin/sh\n. /etc/default/rcS\nif [ "$ROOT_RW" = yes ]; then\n  mount -o remount,rw /\nfi\n',
      files: { "etc/default/rcS": "#ROOT_RW=no\n" },
    },
    {
      name: "remount read-only (Debian's umountroot pattern)",
      code: "#!/bin/sh\nmount -n -o remount,ro -t dummytype dummydev / 2>/dev/null || mount -n -o remount,ro /\n",
    },
    {
      name: "remounting another filesystem",
      code: "#!/bin/sh\nmount -o remount,rw /home\n",
    },
    {
      name: "a user command, not a boot script",
      path: "usr/local/bin/rw",
      code: "#!/bin/sh\nmount -o remount,rw /\n",
    },
    {
      name: "a start branch of a script that only runs at shutdown",
      path: "etc/init.d/late",
      code: '#!/bin/sh\ncase "$1" in\n  start) mount -o remount,rw / ;;\n  stop) : ;;\nesac\n',
      files: { "etc/rc0.d/K01late": { symlink: "../init.d/late" } },
    },
  ],
  invalid: [
    {
      name: "the classic rc.sysinit line",
      code: "#!/bin/bash\n/bin/mount -n -o remount,rw /\n",
      errors: [{ line: 2 }],
    },
    {
      name: "option forms: clustered, reordered, operand first, -w",
      code: "#!/bin/sh\nmount -orw,remount /\nmount / -o remount,rw\nmount -n -w -o remount /\nmount - / -oremount,rw\n",
      errors: [{ line: 2 }, { line: 3 }, { line: 4 }, { line: 5 }],
    },
    {
      name: "through busybox, env, nice and a wrapper function",
      code: "#!/bin/sh\nremount_root() {\n  busybox mount -o remount,rw /\n}\nenv LANG=C nice -n 5 /bin/mount -o remount,rw /\nremount_root\n",
      errors: [{ line: 3 }, { line: 5 }],
    },
    {
      name: "options through a constant",
      code: '#!/bin/sh\nOPTS="remount,rw"\nmount -o "$OPTS" /\n',
      errors: [{ line: 3 }],
    },
    {
      name: "start branch of a boot-linked init script",
      path: "etc/init.d/early",
      code: '#!/bin/sh\ncase "$1" in\n  start|"")\n    mount -o remount,rw /\n    ;;\nesac\n',
      files: { "etc/rcS.d/S01early": { symlink: "../init.d/early" } },
      errors: [{ line: 4 }],
    },
  ],
};
