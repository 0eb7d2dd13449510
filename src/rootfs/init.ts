/**
 * Which init system the root filesystem boots with, from the tree alone:
 * what `/sbin/init` is, or, without one, which init binaries are installed.
 */
import { basename, type FsView } from "../fs/view.js";

export type InitSystem = "systemd" | "sysvinit" | "openrc" | "runit" | "busybox" | "s6" | "dinit" | "other" | "none";

export interface InitInfo {
  system: InitSystem;
  /** Why: "/sbin/init -> /lib/systemd/systemd", "/usr/lib/systemd/systemd, no other init". */
  evidence: string;
}

const SYSTEMD_BINARIES = ["/usr/lib/systemd/systemd", "/lib/systemd/systemd"];
/** Init binaries other than systemd, and what they are. */
const OTHER_INITS: [string, InitSystem][] = [
  ["/sbin/openrc-init", "openrc"],
  ["/usr/sbin/openrc-init", "openrc"],
  ["/lib/runit/runit-init", "runit"],
  ["/sbin/runit-init", "runit"],
  ["/usr/sbin/runit-init", "runit"],
  ["/sbin/s6-svscan", "s6"],
  ["/usr/bin/s6-linux-init", "s6"],
  ["/sbin/dinit", "dinit"],
  ["/usr/sbin/dinit", "dinit"],
  ["/lib/sysvinit/init", "sysvinit"],
];

function byName(path: string): InitSystem {
  const name = basename(path);
  if (name === "systemd") return "systemd";
  if (/^runit(-init)?$/.test(name)) return "runit";
  if (name === "openrc-init") return "openrc";
  if (name === "busybox" || name === "busybox.static") return "busybox";
  if (name.startsWith("s6-")) return "s6";
  if (name === "dinit") return "dinit";
  if (name === "init" || name === "sysvinit") return "sysvinit";
  return "other";
}

export function detectInit(view: FsView): InitInfo {
  const link = view.resolve("/sbin/init", false);
  const entry = link.entry;
  if (entry?.type === "symlink") {
    const target = view.resolve("/sbin/init");
    if (!target.error) return { system: byName(target.path), evidence: `/sbin/init -> ${target.path}` };
  }
  // A real file: a non-systemd init (sysvinit's, or one that a package installed under that name).
  if (entry?.type === "file") return { system: "sysvinit", evidence: `${link.path} is a regular file` };
  const isFile = (p: string) => view.resolve(p).entry?.type === "file";
  const others = OTHER_INITS.filter(([p]) => isFile(p));
  const systemd = SYSTEMD_BINARIES.find(isFile);
  if (systemd && others.length === 0) return { system: "systemd", evidence: `${view.resolve(systemd).path} exists and no other init is installed` };
  if (others.length > 0 && !systemd) return { system: others[0]![1], evidence: `${others[0]![0]} exists` };
  return { system: systemd ? "other" : "none", evidence: systemd ? "systemd and another init are installed, and /sbin/init does not choose" : "no init is installed" };
}
