import type { RuleCases } from "../../src/engine/rule.js";

/** What a legacy image ships when mtab was never turned into a link. */
const MTAB_FILE = "/dev/sda1 / ext4 rw,relatime 0 0\nproc /proc proc rw,nosuid,nodev,noexec 0 0\n";

export const cases: RuleCases = {
  valid: [
    {
      name: "a relative symlink to ../proc/self/mounts (the skeleton's own link)",
    },
    {
      name: "an absolute symlink to /proc/mounts",
      files: { "etc/mtab": { symlink: "/proc/mounts" } },
    },
    {
      name: "a relative symlink to ../proc/mounts",
      files: { "etc/mtab": { symlink: "../proc/mounts" } },
    },
    {
      name: "an absolute symlink to /proc/self/mounts",
      files: { "etc/mtab": { symlink: "/proc/self/mounts" } },
    },
    {
      name: "a regular file that systemd's tmpfiles.d replaces with the link (L+)",
      files: {
        "etc/mtab": MTAB_FILE,
        "usr/lib/tmpfiles.d/etc.conf": [
          "#  This file is part of a systemd-like package.",
          "# See tmpfiles.d(5) for details",
          "",
          "L /etc/os-release - - - - ../usr/lib/os-release",
          "L+ /etc/mtab - - - - ../proc/self/mounts",
          "C! /etc/locale.conf - - - -",
          "",
        ].join("\n"),
      },
    },
    {
      name: "missing, and a plain L line creates the link at boot",
      files: { "etc/mtab": null, "usr/lib/tmpfiles.d/mtab.conf": "L /etc/mtab - - - - ../proc/self/mounts\n" },
    },
  ],
  invalid: [
    {
      name: "missing, with nothing to create it",
      files: { "etc/mtab": null },
      errors: [{ line: 1, path: "etc/mtab" }],
    },
    {
      name: "a regular file",
      files: { "etc/mtab": MTAB_FILE },
      errors: [{ path: "etc/mtab", line: 1 }],
    },
    {
      name: "an empty regular file",
      files: { "etc/mtab": "" },
      errors: [{ path: "etc/mtab", line: 1 }],
    },
    {
      name: "a symlink to ../run/mtab",
      files: { "etc/mtab": { symlink: "../run/mtab" } },
      errors: [{ path: "etc/mtab", line: 1 }],
    },
    {
      name: "a symlink to /proc/self/mountinfo (a different format)",
      files: { "etc/mtab": { symlink: "/proc/self/mountinfo" } },
      errors: [{ path: "etc/mtab", line: 1 }],
    },
    {
      name: "a regular file and a plain L line: L does not replace an existing file",
      files: {
        "etc/mtab": MTAB_FILE,
        "usr/lib/tmpfiles.d/mtab.conf": "L /etc/mtab - - - - ../proc/self/mounts\n",
      },
      errors: [{ path: "etc/mtab", line: 1 }],
    },
    {
      name: "a symlink elsewhere and a plain L line: L leaves an existing link alone",
      files: {
        "etc/mtab": { symlink: "../run/mtab" },
        "etc/tmpfiles.d/mtab.conf": "L /etc/mtab - - - - ../proc/self/mounts\n",
      },
      errors: [{ path: "etc/mtab", line: 1 }],
    },
    {
      name: "the L+ line is masked by /etc/tmpfiles.d/etc.conf -> /dev/null",
      files: {
        "etc/mtab": MTAB_FILE,
        "usr/lib/tmpfiles.d/etc.conf": "L+ /etc/mtab - - - - ../proc/self/mounts\n",
        "etc/tmpfiles.d/etc.conf": { symlink: "/dev/null" },
      },
      errors: [{ path: "etc/mtab", line: 1 }],
    },
  ],
};
