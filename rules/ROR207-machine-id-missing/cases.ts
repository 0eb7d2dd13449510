import type { RuleCases } from "../../src/engine/rule.js";

const SYSTEMD = { "sbin/init": { symlink: "../lib/systemd/systemd" }, "lib/systemd/systemd": "\x7fELF" };

export const cases: RuleCases = {
  valid: [
    {
      name: "systemd with an empty /etc/machine-id (the image builder's correct state)",
      files: { ...SYSTEMD, "etc/machine-id": "" },
    },
    {
      name: "systemd with a fixed ID",
      files: { ...SYSTEMD, "etc/machine-id": "0123456789abcdef0123456789abcdef\n" },
    },
    {
      name: "systemd with \"uninitialized\"",
      files: { ...SYSTEMD, "etc/machine-id": "uninitialized\n" },
    },
    {
      name: "sysvinit: /sbin/init is a binary, no machine-id needed",
      files: { "sbin/init": "\x7fELF sysvinit", "lib/systemd/systemd": "\x7fELF" },
    },
    {
      name: "runit as init, systemd's binary installed too",
      files: { "sbin/init": { symlink: "/lib/runit/runit-init" }, "lib/runit/runit-init": "\x7fELF", "usr/lib/systemd/systemd": "\x7fELF" },
    },
    {
      name: "no init at all (a container image)",
    },
  ],
  invalid: [
    {
      name: "/sbin/init links to systemd and /etc/machine-id was deleted",
      files: SYSTEMD,
      errors: [{ path: "etc/machine-id", line: 1 }],
    },
    {
      name: "no /sbin/init, only systemd installed (merged /usr)",
      files: { "usr/lib/systemd/systemd": "\x7fELF" },
      errors: [{ path: "etc/machine-id", line: 1 }],
    },
    {
      name: "a dangling link to /run/machine-id",
      files: { ...SYSTEMD, "etc/machine-id": { symlink: "/run/machine-id" } },
      errors: [{ path: "etc/machine-id", line: 1 }],
    },
  ],
};
