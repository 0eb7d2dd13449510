import type { RuleCases } from "../../src/engine/rule.js";

/** The links every /var needs; their absence is the skeleton finding (see the invalid cases). */
const LINKS = { "var/run": { symlink: "../run" }, "var/lock": { symlink: "../run/lock" } } as const;
/** A skeleton that tmpfiles.d recreates (systemd's var.conf, reduced). */
const VAR_CONF = "q /var 0755 - - -\nL /var/run - - - - ../run\nL /var/lock - - - - ../run/lock\nd /var/log 0755 - - -\nd /var/lib 0755 - - -\nd /var/cache 0755 - - -\nd /var/tmp 1777 root root 30d\n";

export const cases: RuleCases = {
  valid: [
    {
      name: "a daemon's directory declared in tmpfiles.d",
      files: { ...LINKS, "var/lib/exampled/.keep": "", "usr/lib/tmpfiles.d/exampled.conf": "d /var/lib/exampled 0750 exampled exampled -\n", "usr/lib/tmpfiles.d/var.conf": VAR_CONF },
    },
    {
      name: "initial content copied from /usr/share/factory (C), in /etc/tmpfiles.d",
      files: { ...LINKS, "var/lib/exampled/seed.db": "x", "etc/tmpfiles.d/exampled.conf": "C /var/lib/exampled - - - - /usr/share/factory/var/lib/exampled\n", "usr/lib/tmpfiles.d/var.conf": VAR_CONF },
    },
    {
      name: "a boot script creates the directory on every boot",
      code: "#!/bin/sh\nmkdir -p /var/log/exampled /var/lib /var/cache /var/tmp\nln -sf /run /var/run\nln -sf /run/lock /var/lock\n",
      files: { "var/log/exampled/.keep": "", "var/lib/.keep": "", "var/cache/.keep": "", "var/tmp/.keep": "", ...LINKS },
    },
    {
      name: "loose log files, caches, temporary files and the package database are not structure to recreate",
      files: {
        ...LINKS,
        "usr/lib/tmpfiles.d/var.conf": VAR_CONF,
        "var/log/dpkg.log": "",
        "var/log/bootstrap.log": "",
        "var/cache/apt/archives/partial/.keep": "",
        "var/cache/debconf/config.dat": "",
        "var/tmp/build-1234/x": "",
        "var/lib/dpkg/status": "Package: base-files\n",
        "var/lib/apt/lists/lock": "",
        "var/lib/systemd/deb-systemd-helper-enabled/ssh.service.dsh-also": "",
        "var/log/apt/history.log": "",
      },
    },
    {
      name: "Fedora's rwtab copies the directory tree at boot",
      files: { ...LINKS, "usr/lib/tmpfiles.d/var.conf": VAR_CONF, "var/lib/dhclient/.keep": "", "etc/rwtab.d/dhclient": "dirs\t/var/lib/dhclient\n" },
    },
    {
      name: "a service's StateDirectory= on a systemd system",
      files: {
        ...LINKS,
        "usr/lib/tmpfiles.d/var.conf": VAR_CONF,
        "sbin/init": { symlink: "../lib/systemd/systemd" },
        "lib/systemd/systemd": "\x7fELF",
        "var/lib/exampled/.keep": "",
        "lib/systemd/system/exampled.service": "[Service]\nExecStart=/usr/sbin/exampled\nStateDirectory=exampled\n",
      },
    },
  ],
  invalid: [
    {
      name: "a daemon's state and log directories, nothing declares them",
      files: { ...LINKS, "usr/lib/tmpfiles.d/var.conf": VAR_CONF, "var/lib/exampled/seed.db": "x", "var/log/exampled/.keep": "" },
      errors: [
        { path: "var/lib/exampled", line: 1 },
        { path: "var/log/exampled", line: 1 },
      ],
    },
    {
      name: "a custom top-level directory and a link below a standard one",
      files: { ...LINKS, "usr/lib/tmpfiles.d/var.conf": VAR_CONF, "var/www/index.html": "<p>hi</p>\n", "var/mail/.keep": "", "var/spool/mail": { symlink: "../mail" } },
      errors: [
        { path: "var", line: 1 },
        { path: "var/spool/mail", line: 1 },
        { path: "var/www", line: 1 },
      ],
    },
    {
      name: "the skeleton alone (the seed's Arch issue: init scripts should mkdir -p /var/lib /var/log)",
      files: { "var/log/.keep": "", "var/lib/.keep": "", "var/tmp/.keep": "", ...LINKS },
      errors: [{ path: "var", line: 1 }],
    },
    {
      name: "a mkdir that only runs when the directory is asked for",
      code: '#!/bin/sh\n. /etc/default/exampled\nif [ "$ENABLE_EXAMPLED" = yes ]; then\n  mkdir -p /var/lib/exampled\nfi\n',
      files: { ...LINKS, "usr/lib/tmpfiles.d/var.conf": VAR_CONF, "etc/default/exampled": "#ENABLE_EXAMPLED=no\n", "var/lib/exampled/.keep": "" },
      errors: [{ path: "var/lib/exampled", line: 1 }],
    },
  ],
};
