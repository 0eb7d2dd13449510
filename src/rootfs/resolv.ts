/**
 * Who rewrites /etc/resolv.conf at runtime in this tree (ROR203, and the
 * link target that `rorlint plan` suggests):
 *
 * - installed programs known to write it: ISC dhclient's dhclient-script,
 *   busybox udhcpc's default.script, dhcpcd's 20-resolv.conf hook,
 *   resolvconf (Debian's or openresolv), NetworkManager;
 * - any runtime script (network hook, boot script, cron job) whose effects
 *   write, replace or remove /etc/resolv.conf, as the shell model sees them.
 *
 * systemd-resolved is not a writer: it never writes /etc/resolv.conf, and
 * with a regular file there it only reads it ("foreign" mode). resolvconf
 * that is a link to systemd's resolvectl is the same program.
 */
import { relative, type FsView } from "../fs/view.js";
import type { RuntimeWrite } from "./scripts.js";

export const RESOLV_CONF = "/etc/resolv.conf";

export interface ResolvWriter {
  /** "ISC dhclient (sbin/dhclient-script)", "network hook etc/ppp/ip-up.d/x:12". */
  name: string;
  /** Where the tree shows it: an installed file, or a script line. */
  path: string;
  line?: number;
  /** The link target that suits this writer, relative to /etc. */
  target: string;
}

interface Known {
  name: string;
  paths: string[];
  target: string;
  /** The file resolves to one of these basenames: not this writer (e.g. resolvconf -> resolvectl). */
  unless?: RegExp;
}

const KNOWN: Known[] = [
  { name: "resolvconf", paths: ["/sbin/resolvconf", "/usr/sbin/resolvconf", "/usr/bin/resolvconf", "/bin/resolvconf"], target: "../run/resolvconf/resolv.conf", unless: /(^|\/)(resolvectl|systemd-resolve|systemctl)$/ },
  { name: "NetworkManager", paths: ["/usr/sbin/NetworkManager", "/usr/bin/NetworkManager", "/sbin/NetworkManager"], target: "../run/NetworkManager/resolv.conf" },
  { name: "ISC dhclient", paths: ["/sbin/dhclient-script", "/usr/sbin/dhclient-script"], target: "../run/resolv.conf" },
  { name: "udhcpc", paths: ["/usr/share/udhcpc/default.script", "/etc/udhcpc/default.script", "/etc/udhcpc/udhcpc.script"], target: "../run/resolv.conf" },
  {
    name: "dhcpcd",
    paths: ["/lib/dhcpcd/dhcpcd-hooks/20-resolv.conf", "/usr/lib/dhcpcd/dhcpcd-hooks/20-resolv.conf", "/usr/libexec/dhcpcd-hooks/20-resolv.conf", "/libexec/dhcpcd-hooks/20-resolv.conf", "/usr/share/dhcpcd/hooks/20-resolv.conf"],
    target: "../run/resolv.conf",
  },
];

/** Debian's resolvconf keeps its output in /run/resolvconf; openresolv writes the file its config names. */
function resolvconfTarget(view: FsView): string {
  return view.resolve("/etc/resolvconf/update.d/libc").entry ? "../run/resolvconf/resolv.conf" : "../run/resolv.conf";
}

export function resolvWriters(view: FsView, writes: readonly RuntimeWrite[], resolve: (p: string) => string): ResolvWriter[] {
  const out: ResolvWriter[] = [];
  for (const k of KNOWN) {
    for (const p of k.paths) {
      const r = view.resolve(p);
      if (r.error || r.entry?.type !== "file") continue;
      if (k.unless && k.unless.test(r.path)) continue;
      out.push({ name: `${k.name} (${relative(r.path)})`, path: r.path, target: k.name === "resolvconf" ? resolvconfTarget(view) : k.target });
      break;
    }
  }
  const real = resolve(RESOLV_CONF);
  for (const w of writes) {
    const hit = w.path === RESOLV_CONF || (w.path !== null && w.kind !== "mkdir" && resolve(w.path) === real && real === RESOLV_CONF);
    // A known updater's own script is named once, as the updater.
    if (!hit || out.some((o) => o.path === w.file && o.line === undefined)) continue;
    const role = w.roles.includes("network-hook") ? "network hook" : w.roles.includes("periodic") ? "periodic job" : w.roles.includes("boot") ? "boot script" : "script";
    out.push({ name: `${role} ${relative(w.file)}:${w.line} (${w.how})`, path: w.file, line: w.line, target: "../run/resolv.conf" });
  }
  return out;
}

/** The link target to suggest: the first known updater's, else a file in /run. */
export function suggestedResolvTarget(writers: readonly ResolvWriter[]): string {
  return writers[0]?.target ?? "../run/resolv.conf";
}
