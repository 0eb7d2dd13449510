/**
 * Classification: which files are shell scripts, and when each one runs.
 *
 * Roles come from where a script sits in the root filesystem and how it is
 * started (runlevel links, LSB headers, well-known paths), never from
 * guessing at its content. See the role table in the rule catalogue.
 */
import type { Role } from "../types.js";
import { basename, dirname, type FsView } from "../fs/view.js";

const SHELLS = new Set(["sh", "dash", "bash", "ash", "ksh", "mksh", "busybox", "openrc-run", "init-d-script", "runscript"]);

/**
 * The interpreter named by a `#!` line: "sh", "bash", "openrc-run"...;
 * null when there is no `#!` line; "" for a non-shell interpreter.
 */
export function interpreterOf(text: string): string | null {
  if (!text.startsWith("#!")) return null;
  const line = text.slice(2, text.indexOf("\n") >>> 0).trim();
  const words = line.split(/\s+/);
  let prog = basename(words[0] ?? "");
  if (prog === "env") prog = basename(words.find((w, i) => i > 0 && !w.startsWith("-") && !w.includes("=")) ?? "");
  return SHELLS.has(prog) ? prog : "";
}

/** How a path's role is decided by where it sits. */
const PATH_ROLES: [RegExp, Role][] = [
  [/^\/etc\/rc\.d\/rc\.sysinit$|^\/etc\/rc\.sysinit$|^\/etc\/rc\.local$|^\/etc\/rc\.d\/rc\.local$|^\/etc\/rc\.d\/rc\.multi$|^\/etc\/rc\.multi$/, "boot"],
  [/^\/etc\/runit\/[12]$|^\/etc\/sv\/[^/]+\/run$|^\/etc\/service\/[^/]+\/run$/, "boot"],
  [/^\/etc\/initramfs-tools\/scripts\/.+/, "boot"],
  [/^\/etc\/rc\.shutdown$|^\/etc\/rc\.d\/rc\.shutdown$|^\/etc\/runit\/3$|^\/etc\/sv\/[^/]+\/finish$/, "shutdown"],
  [/^\/(usr\/)?sbin\/dhclient-script$/, "network-hook"],
  [/^\/etc\/dhcp3?\/dhclient-(enter|exit)-hooks\.d\/[^/]+$/, "network-hook"],
  [/^\/etc\/dhcp3?\/dhclient-(enter|exit)-hooks$/, "network-hook"],
  [/^\/etc\/network\/if-(pre-up|up|down|post-down)\.d\/[^/]+$/, "network-hook"],
  [/^\/etc\/ppp\/(ip|ipv6)-(up|down)(\.d\/[^/]+)?$/, "network-hook"],
  [/^\/etc\/NetworkManager\/dispatcher\.d\/.+/, "network-hook"],
  [/^\/etc\/resolvconf\/(update|update-libc)\.d\/[^/]+$/, "network-hook"],
  [/^\/(etc\/udhcpc|usr\/share\/udhcpc)\/default\.script$/, "network-hook"],
  [/^\/etc\/cron\.(hourly|daily|weekly|monthly)\/[^/]+$/, "periodic"],
  [/^\/var\/lib\/dpkg\/info\/[^/]+\.(preinst|postinst|prerm|postrm|config)$/, "maintainer"],
];

/** Where scripts with a role can be, as glob patterns (picomatch) relative to the root. */
export const SCRIPT_GLOBS = [
  "etc/init.d/*",
  "etc/rc.d/init.d/*",
  "etc/rc?.d/*",
  "etc/rc.d/rc?.d/*",
  "etc/rc.sysinit",
  "etc/rc.local",
  "etc/rc.shutdown",
  "etc/rc.multi",
  "etc/rc.d/rc.*",
  "etc/runit/[123]",
  "etc/sv/*/run",
  "etc/sv/*/finish",
  "etc/initramfs-tools/scripts/**",
  "sbin/dhclient-script",
  "usr/sbin/dhclient-script",
  "etc/dhcp/dhclient-*",
  "etc/dhcp/dhclient-*/*",
  "etc/dhcp3/dhclient-*/*",
  "etc/network/if-*.d/*",
  "etc/ppp/ip*-up",
  "etc/ppp/ip*-down",
  "etc/ppp/ip*-*.d/*",
  "etc/NetworkManager/dispatcher.d/**",
  "etc/resolvconf/update.d/*",
  "etc/resolvconf/update-libc.d/*",
  "etc/udhcpc/default.script",
  "usr/share/udhcpc/default.script",
  "etc/cron.hourly/*",
  "etc/cron.daily/*",
  "etc/cron.weekly/*",
  "etc/cron.monthly/*",
  "var/lib/dpkg/info/*.preinst",
  "var/lib/dpkg/info/*.postinst",
  "var/lib/dpkg/info/*.prerm",
  "var/lib/dpkg/info/*.postrm",
];

export interface LsbHeader {
  defaultStart: string[];
  defaultStop: string[];
}

export function parseLsbHeader(text: string): LsbHeader | null {
  const m = /^### BEGIN INIT INFO\s*$([\s\S]*?)^### END INIT INFO/m.exec(text);
  if (!m) return null;
  const field = (name: string) => {
    const f = new RegExp(`^#\\s*${name}:[ \\t]*(.*)$`, "mi").exec(m[1]!);
    return f ? f[1]!.trim().split(/\s+/).filter(Boolean) : [];
  };
  return { defaultStart: field("Default-Start"), defaultStop: field("Default-Stop") };
}

/** Roles that runlevel links give to the scripts they point at (resolved paths). */
export function runlevelRoles(view: FsView): Map<string, Set<Role>> {
  const roles = new Map<string, Set<Role>>();
  const add = (path: string, role: Role) => {
    let set = roles.get(path);
    if (!set) roles.set(path, (set = new Set()));
    set.add(role);
  };
  for (const dir of ["/etc", "/etc/rc.d"]) {
    for (const name of view.list(dir)) {
      const m = /^rc([0-6S])\.d$/.exec(name);
      if (!m) continue;
      const level = m[1]!;
      for (const link of view.list(`${dir}/${name}`)) {
        const r = view.resolve(`${dir}/${name}/${link}`);
        if (r.error || r.entry?.type !== "file") continue;
        // Runlevels 0 and 6 run every script with "stop"; S links elsewhere start at boot.
        if (level === "0" || level === "6") add(r.path, "shutdown");
        else if (link.startsWith("S")) add(r.path, "boot");
      }
    }
  }
  return roles;
}

export function isInitScriptPath(path: string): boolean {
  return /^\/etc\/(rc\.d\/)?init\.d\/[^/]+$/.test(path);
}

/**
 * The roles of a script at `path` (resolved, inside the root).
 * `linked` holds the roles given by runlevel links; `anyLinks` tells whether
 * the tree has runlevel links at all (in a packaging tree it has none, and
 * LSB headers decide).
 */
export function rolesOf(path: string, text: string, interpreter: string | null, linked: Set<Role> | undefined): Set<Role> {
  const roles = new Set<Role>(linked ?? []);
  if (interpreter === "openrc-run" || interpreter === "runscript") {
    roles.add("boot");
    roles.add("shutdown");
  }
  for (const [re, role] of PATH_ROLES) if (re.test(path)) roles.add(role);
  if (isInitScriptPath(path) && !linked) {
    const lsb = parseLsbHeader(text);
    if (lsb && lsb.defaultStart.length > 0) roles.add("boot");
    if (lsb && lsb.defaultStop.some((l) => l === "0" || l === "6")) roles.add("shutdown");
  }
  if (roles.size === 0) roles.add("other");
  return roles;
}

/** Skip files that are obviously not scripts even in script directories. */
export function isIgnoredName(path: string): boolean {
  const name = basename(path);
  return (
    name === "README" ||
    name.startsWith(".") ||
    /\.(dpkg-(old|new|dist|bak|tmp)|rpm(save|new|orig)|orig|bak|swp|md|txt)$/.test(name) ||
    name.endsWith("~") ||
    (dirname(path).endsWith("init.d") && (name === "skeleton" || name === "functions"))
  );
}
