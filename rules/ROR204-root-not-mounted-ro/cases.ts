import type { RuleCases } from "../../src/engine/rule.js";

export const cases: RuleCases = {
  valid: [
    {
      name: "the skeleton's / entry with ro",
    },
    {
      name: "ro among other options, with comments and other mounts",
      files: {
        "etc/fstab": [
          "# <file system>            <mount point> <type> <options>              <dump> <pass>",
          "/dev/disk/by-label/System  /             btrfs  compress,ro,noatime    0      1",
          "/dev/disk/by-label/Var     /var          ext4   defaults               0      2",
          "tmpfs                      /tmp          tmpfs  nosuid,nodev           0      0",
          "",
        ].join("\n"),
      },
    },
    {
      name: "defaults then ro",
      files: { "etc/fstab": "UUID=0a1b2c3d / ext4 defaults,ro 0 1\n" },
    },
    {
      name: "the last / entry decides (libmount reads the table backwards)",
      files: { "etc/fstab": "/dev/sda1 / ext4 rw 0 1\n/dev/sda1 / ext4 ro 0 1\n" },
    },
  ],
  invalid: [
    {
      name: "the seed's installed system: / without ro",
      files: {
        "etc/fstab": [
          "/dev/disk/by-label/System / btrfs compress 0 1",
          "/dev/disk/by-label/Home /home ext3 defaults 0 1",
          "/dev/disk/by-label/Var /var ext2 defaults 0 1",
          "tmpfs /tmp tmpfs defaults 0 0",
          "",
        ].join("\n"),
      },
      errors: [{ path: "etc/fstab", line: 1 }],
    },
    {
      name: "Debian's errors=remount-ro is not ro",
      files: { "etc/fstab": "# / was on /dev/sda1 during installation\nUUID=0a1b2c3d /               ext4    errors=remount-ro 0       1\n" },
      errors: [{ path: "etc/fstab", line: 2 }],
    },
    {
      name: "debootstrap's unconfigured fstab: no entry for /",
      files: { "etc/fstab": "# UNCONFIGURED FSTAB FOR BASE SYSTEM\n" },
      errors: [{ path: "etc/fstab", line: 1 }],
    },
    {
      name: "no fstab at all",
      files: { "etc/fstab": null },
      errors: [{ path: "etc/fstab", line: 1 }],
    },
    {
      name: "an explicit rw",
      files: { "etc/fstab": "proc /proc proc defaults 0 0\nLABEL=root / ext4 rw,noatime 0 1\n" },
      errors: [{ path: "etc/fstab", line: 2 }],
    },
  ],
};
