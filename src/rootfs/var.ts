/**
 * What under /var a system needs recreated when /var starts empty (a tmpfs,
 * a fresh partition, `systemd.volatile=state`), and what nothing in the
 * image recreates: ROR206's policy, shared with `rorlint plan`.
 *
 * Units ("needs"), one finding each:
 *
 * - each directory or symlink directly below a standard /var directory
 *   (`/var/lib/dhcp`, `/var/log/runit`, `/var/spool/cron`), and each custom
 *   top-level directory or symlink (`/var/www`): the directories programs
 *   expect to find, as the recommendation's "File System Hierarchy" section
 *   asks boot scripts to assure;
 * - the skeleton: the standard directories themselves (`/var/log`,
 *   `/var/tmp`, ...) and the `/var/run`, `/var/lock` links, in one finding,
 *   listing those that no other need's fix recreates (a tmpfiles.d line for
 *   `/var/lib/dhcp` makes `/var/lib` too).
 *
 * Not reported:
 *
 * - loose files directly in a standard directory (`/var/log/dpkg.log`,
 *   `/var/lib/shells.state`): the program that writes a file creates it;
 *   a missing directory is what makes writes fail;
 * - contents of `/var/cache` (regenerable by definition, FHS 5.5) and
 *   `/var/tmp`, and of `/var/backups`, `/var/mail`, `/var/spool/mail`
 *   (copies and mailboxes, not structure);
 * - package-management and other administrative state (`/var/lib/dpkg`,
 *   `/var/lib/apt`, `/var/lib/ucf`, `/var/lib/pam`, deb-systemd-helper's
 *   state, `/var/log/apt` ...): it is used only while packages are
 *   installed, which a read-only root does not do; where it lives is
 *   ROR201's concern. A directory whose only content is such state is
 *   skipped too (`/var/lib/systemd` on a sysvinit system).
 *
 * Recreated means: a tmpfiles.d line that creates the path or something
 * below it (`d`, `D`, `L`, `C`, `f` ... in /usr/lib or /etc/tmpfiles.d), a
 * service's `StateDirectory=`/`LogsDirectory=`/`CacheDirectory=`, a boot
 * script's `mkdir -p` or `ln -s` on every boot, or a Fedora rwtab entry on
 * the path, above it or below it (rwtab copies the image's tree).
 */
import type { Entry, FsView } from "../fs/view.js";
import { isUnder, type RootfsFacts } from "./facts.js";

export const STANDARD_VAR = ["log", "lib", "cache", "spool", "tmp", "mail", "backups", "local", "opt"];
/** Standard directories whose contents are not structure a system needs recreated. */
const CONTENT_NOT_NEEDED = new Set(["cache", "tmp", "backups", "mail"]);
const NOT_NEEDED_BELOW = ["/var/spool/mail"];
/** Links that belong to the skeleton. */
const SKELETON_LINKS = ["run", "lock"];

/** Administrative state: used only while packages are installed or removed. */
const ADMIN_STATE = [
  "/var/lib/dpkg",
  "/var/lib/apt",
  "/var/lib/aptitude",
  "/var/lib/ucf",
  "/var/lib/pam",
  "/var/lib/update-rc.d",
  "/var/lib/rpm",
  "/var/lib/rpm-state",
  "/var/lib/dnf",
  "/var/lib/yum",
  "/var/lib/pacman",
  "/var/lib/opkg",
  "/var/lib/alternatives",
  "/var/lib/sgml-base",
  "/var/lib/xml-core",
  "/var/lib/initramfs-tools",
  "/var/lib/dictionaries-common",
  "/var/lib/emacsen-common",
  "/var/lib/usrmerge",
  "/var/lib/python",
  "/var/lib/systemd/deb-systemd-helper-enabled",
  "/var/lib/systemd/deb-systemd-helper-masked",
  "/var/lib/systemd/deb-systemd-user-helper-enabled",
  "/var/lib/resolvconf/linkified",
  "/var/lib/shells.state",
  "/var/log/apt",
  "/var/log/installer",
];

export interface VarNeed {
  kind: "dir" | "link" | "skeleton";
  /** The entry's real path ("/var/lib/dhcp"); "/var" for the skeleton. */
  path: string;
  /** The skeleton's members (standard directories and links), real paths. */
  members: string[];
  /** Regular files (and other non-directory, non-link entries) below: content that tmpfiles.d `d` and `L` lines do not recreate. */
  files: number;
}

function isAdmin(path: string): boolean {
  return ADMIN_STATE.some((a) => isUnder(path, a));
}

/** Entries below a directory (not following links), depth first. */
export function subtree(view: FsView, dir: string, limit = 100_000): Entry[] {
  const out: Entry[] = [];
  const stack = [dir];
  while (stack.length > 0 && out.length < limit) {
    const d = stack.pop()!;
    for (const name of view.list(d)) {
      const e = view.lstat(`${d}/${name}`);
      if (!e) continue;
      out.push(e);
      if (e.type === "dir") stack.push(e.path);
    }
  }
  return out;
}

/** A directory whose only contents (`below` it) are administrative state, empty directories aside. */
function onlyAdmin(dir: string, below: Entry[]): boolean {
  if (isAdmin(dir)) return true;
  const leaves = below.filter((e) => e.type !== "dir");
  return leaves.length > 0 && leaves.every((e) => isAdmin(e.path));
}

/** Whether something recreates `path` at boot (see the module comment). */
export function recreated(facts: RootfsFacts, path: string): boolean {
  if (facts.createdAtBootTime(path)) return true;
  return facts.rwtab.some((r) => {
    const p = facts.resolve(r.path);
    return isUnder(path, p) || isUnder(p, path);
  });
}

export function varNeeds(view: FsView, facts: RootfsFacts): VarNeed[] {
  const varDir = view.resolve("/var");
  if (varDir.error || varDir.entry?.type !== "dir") return [];
  const root = varDir.path;
  const needs: VarNeed[] = [];
  const skeleton: string[] = [];
  const consider = (e: Entry) => {
    if (e.type !== "dir" && e.type !== "symlink") return;
    if (isAdmin(e.path) || NOT_NEEDED_BELOW.some((n) => isUnder(e.path, n) && e.path !== n)) return;
    const below = e.type === "dir" ? subtree(view, e.path) : [];
    if (e.type === "dir" && onlyAdmin(e.path, below)) return;
    if (recreated(facts, e.path)) return;
    needs.push({ kind: e.type === "dir" ? "dir" : "link", path: e.path, members: [], files: below.filter((x) => x.type !== "dir" && x.type !== "symlink").length });
  };
  for (const name of view.list(root)) {
    const e = view.lstat(`${root}/${name}`);
    if (!e) continue;
    if (SKELETON_LINKS.includes(name) || STANDARD_VAR.includes(name)) {
      if (e.type === "dir" && STANDARD_VAR.includes(name) && !CONTENT_NOT_NEEDED.has(name)) {
        for (const child of view.list(e.path)) {
          const c = view.lstat(`${e.path}/${child}`);
          if (c) consider(c);
        }
      }
      if (e.type === "dir" || e.type === "symlink") skeleton.push(e.path);
      continue;
    }
    consider(e);
  }
  // The skeleton: members that no other need's fix (nor anything in the image) recreates.
  const missing = skeleton.filter((s) => !recreated(facts, s) && !needs.some((n) => isUnder(n.path, s)));
  if (missing.length > 0) needs.push({ kind: "skeleton", path: root, members: missing, files: 0 });
  return needs.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** A tmpfiles.d mode field from an entry's permission bits ("0755", "1777"). */
export function modeOf(e: Entry | undefined, fallback = "0755"): string {
  if (!e || e.type !== "dir") return fallback;
  return (e.mode & 0o7777).toString(8).padStart(4, "0");
}

/** The link target as tmpfiles.d's `L` argument wants it. */
export function linkArgument(e: Entry): string {
  return e.target ?? "";
}

/**
 * tmpfiles.d lines that recreate a need: `d` for each directory of the
 * tree (with the image's modes), `L` for each link. Files are left to the
 * programs that write them; `factoryLine` copies them when a program
 * cannot recreate its initial content.
 */
export function tmpfilesLinesFor(view: FsView, need: VarNeed): string[] {
  const line = (type: string, path: string, mode: string) => `${type} ${path} ${mode} root root -`;
  if (need.kind === "skeleton") {
    return need.members.map((m) => {
      const e = view.lstat(m)!;
      return e.type === "symlink" ? `L ${m} - - - - ${linkArgument(e)}` : line("d", m, modeOf(e));
    });
  }
  const e = view.lstat(need.path);
  if (!e) return [];
  if (e.type === "symlink") return [`L ${need.path} - - - - ${linkArgument(e)}`];
  const structure = [e, ...subtree(view, need.path).filter((x) => x.type === "dir" || x.type === "symlink")].sort((a, b) => (a.path < b.path ? -1 : 1));
  return structure.map((x) => (x.type === "symlink" ? `L ${x.path} - - - - ${linkArgument(x)}` : line("d", x.path, modeOf(x))));
}

/** A `C` line that copies a directory's initial content from a read-only copy under /usr/share/factory. */
export function factoryLine(need: VarNeed): string {
  return `C ${need.path} - - - - /usr/share/factory${need.path}`;
}
