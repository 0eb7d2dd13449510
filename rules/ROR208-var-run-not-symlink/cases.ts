import type { RuleCases } from "../../src/engine/rule.js";

const LOG = { "var/log/syslog": "" };

export const cases: RuleCases = {
  valid: [
    {
      name: "relative links (Debian Policy, FHS 3.0)",
      files: { ...LOG, "var/run": { symlink: "../run" }, "var/lock": { symlink: "../run/lock" } },
    },
    {
      name: "absolute links",
      files: { ...LOG, "var/run": { symlink: "/run" }, "var/lock": { symlink: "/run/lock" } },
    },
    {
      name: "/var/lock through /var/run",
      files: { ...LOG, "var/run": { symlink: "/run" }, "var/lock": { symlink: "run/lock" } },
    },
    {
      name: "directories that systemd's tmpfiles.d replaces with the links (L+)",
      files: { "var/run/.keep": "", "var/lock/.keep": "", "usr/lib/tmpfiles.d/var.conf": "L+ /var/run - - - - ../run\nL+ /var/lock - - - - ../run/lock\n" },
    },
    {
      name: "a tree without /var (nothing to judge)",
    },
  ],
  invalid: [
    {
      name: "both are directories",
      files: { "var/run/sshd.pid": "123\n", "var/lock/subsys/.keep": "" },
      errors: [
        { path: "var/lock", line: 1 },
        { path: "var/run", line: 1 },
      ],
    },
    {
      name: "/var/lock links to the wrong place",
      files: { ...LOG, "var/run": { symlink: "../run" }, "var/lock": { symlink: "../tmp/lock" } },
      errors: [{ path: "var/lock", line: 1 }],
    },
    {
      name: "a directory, and a plain L line does not replace it",
      files: { ...LOG, "var/run/.keep": "", "var/lock": { symlink: "../run/lock" }, "usr/lib/tmpfiles.d/var.conf": "L /var/run - - - - ../run\n" },
      errors: [{ path: "var/run", line: 1 }],
    },
  ],
};
