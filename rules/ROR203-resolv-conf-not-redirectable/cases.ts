import type { RuleCases } from "../../src/engine/rule.js";

/** What debootstrap copies from the build host. */
const STATIC_RESOLV = "nameserver 192.0.2.53\n";
/** ISC dhclient's script, reduced to what matters: it writes through the link. */
const DHCLIENT_SCRIPT = '#!/bin/sh\nresolv_conf=$(readlink -f /etc/resolv.conf 2>/dev/null || echo /etc/resolv.conf)\ncat "$new_resolv_conf" > "$resolv_conf"\n';

export const cases: RuleCases = {
  valid: [
    {
      name: "dhclient installed, resolv.conf links into /run (Debian with resolvconf)",
      files: {
        "etc/resolv.conf": { symlink: "../run/resolvconf/resolv.conf" },
        "sbin/dhclient-script": DHCLIENT_SCRIPT,
        "sbin/resolvconf": "#!/bin/sh\n:\n",
        "etc/resolvconf/update.d/libc": "#!/bin/sh\n:\n",
      },
    },
    {
      name: "a static resolv.conf and nothing installed that rewrites it (debootstrap minbase)",
      files: { "etc/resolv.conf": STATIC_RESOLV },
    },
    {
      name: "an absolute link to systemd-resolved's stub file",
      files: {
        "etc/resolv.conf": { symlink: "/run/systemd/resolve/stub-resolv.conf" },
        "usr/sbin/NetworkManager": "#!/bin/sh\n:\n",
      },
    },
    {
      name: "resolvconf that is systemd's resolvectl, with a regular file: resolved does not write it",
      files: {
        "etc/resolv.conf": STATIC_RESOLV,
        "usr/bin/resolvectl": "#!/bin/sh\n:\n",
        "sbin/resolvconf": { symlink: "../usr/bin/resolvectl" },
      },
    },
    {
      name: "missing, and tmpfiles.d makes the link into /run at boot",
      files: {
        "sbin/dhclient-script": DHCLIENT_SCRIPT,
        "usr/lib/tmpfiles.d/resolv.conf": "L /etc/resolv.conf - - - - ../run/resolv.conf\n",
      },
    },
    {
      name: "a link into a tmpfs that fstab mounts",
      files: {
        "etc/fstab": "/dev/sda1 / ext4 ro 0 1\ntmpfs /etc/network/run tmpfs defaults 0 0\n",
        "etc/resolv.conf": { symlink: "network/run/resolv.conf" },
        "sbin/dhclient-script": DHCLIENT_SCRIPT,
      },
    },
  ],
  invalid: [
    {
      name: "a regular file while ISC dhclient is installed",
      files: { "etc/resolv.conf": STATIC_RESOLV, "sbin/dhclient-script": DHCLIENT_SCRIPT },
      errors: [{ path: "etc/resolv.conf", line: 1 }],
    },
    {
      name: "missing while NetworkManager is installed",
      files: { "usr/sbin/NetworkManager": "#!/bin/sh\n:\n" },
      errors: [{ path: "etc/resolv.conf", line: 1 }],
    },
    {
      name: "a regular file that a network hook rewrites",
      files: {
        "etc/resolv.conf": STATIC_RESOLV,
        "etc/network/if-up.d/dns": '#!/bin/sh\n[ "$IFACE" = lo ] && exit 0\necho "nameserver $IF_DNS_NAMESERVERS" > /etc/resolv.conf\n',
      },
      errors: [{ path: "etc/resolv.conf", line: 1 }],
    },
    {
      name: "a link into /etc (not writable) while resolvconf is installed",
      files: {
        "etc/resolv.conf": { symlink: "resolvconf/run/resolv.conf" },
        "etc/resolvconf/run/resolv.conf": STATIC_RESOLV,
        "sbin/resolvconf": "#!/bin/sh\n:\n",
      },
      errors: [{ path: "etc/resolv.conf", line: 1 }],
    },
    {
      name: "udhcpc's default script with a regular file",
      files: { "etc/resolv.conf": STATIC_RESOLV, "usr/share/udhcpc/default.script": '#!/bin/sh\nRESOLV_CONF="/etc/resolv.conf"\necho "nameserver $dns" >> $RESOLV_CONF\n' },
      errors: [{ path: "etc/resolv.conf", line: 1 }],
    },
  ],
};
