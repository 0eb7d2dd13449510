/**
 * A writable-paths plan: what a root filesystem needs in order to boot
 * read-only, derived from a scan's findings and the tree's facts.
 *
 * Each finding becomes one or more actions on a path of the tree (a
 * tmpfiles.d line, an rwtab entry, a symlink, an fstab change, a file to
 * create, a change to a script), and actions are grouped by that path.
 * Every action names its reason and the findings behind it (rule id and
 * path:line), so a reader can check each one against the scan.
 */
import { dirname, relative as rel } from "../fs/view.js";
import { isSuppressed, type Finding } from "../types.js";
import type { ScanResult } from "../scan.js";
import type { RootfsFacts } from "../rootfs/facts.js";
import { isUnder } from "../rootfs/writable.js";
import { RESOLV_CONF, resolvWriters, suggestedResolvTarget } from "../rootfs/resolv.js";
import { factoryLine, tmpfilesLinesFor, varNeeds, type VarNeed } from "../rootfs/var.js";
import type { RuntimeWrite } from "../rootfs/scripts.js";

export type ActionKind = "fstab" | "symlink" | "tmpfiles" | "rwtab" | "file" | "script";

export interface FindingRef {
  ruleId: string;
  /** Path relative to the scanned root, as in the scan's output. */
  path: string;
  line: number;
  column: number;
  message: string;
}

export interface PlanAction {
  kind: ActionKind;
  /** What to add or do: a tmpfiles.d line, "/etc/mtab -> ../proc/self/mounts", an fstab line, a change to a script. */
  text: string;
  /** For a change to an existing line: where it is and its text now. */
  replaces?: { path: string; line: number; text: string };
  /** Why the read-only root needs it. */
  reason: string;
  /** The shell command that makes the change, run in the root of the image, when it is mechanical. */
  command?: string;
  findings: FindingRef[];
}

export interface PlanEntry {
  /** Absolute path inside the root that the actions are about ("/", "/etc/mtab", "/var/lib/dhcp"). */
  path: string;
  actions: PlanAction[];
}

export interface PlanFile {
  /** Where the lines go, relative to the root ("etc/tmpfiles.d/readonly-root.conf"). */
  path: string;
  lines: string[];
}

export interface Plan {
  target: string;
  entries: PlanEntry[];
  /** The lines of every tmpfiles, rwtab and fstab action, by the file they go in. */
  files: PlanFile[];
  /** Shell commands to run in the root of the image for links and files ("ln -sfn ../proc/self/mounts etc/mtab"). */
  commands: string[];
  /** overlayroot, when the image enables it: the plan's problems are then hidden by the RAM layer. */
  overlayroot: { kind: string; path: string; line: number } | null;
  /** Findings the plan used (not suppressed). */
  findings: number;
  /** What a reader must know to apply the plan (a boot that does not apply tmpfiles.d). */
  notes: string[];
}

export const TMPFILES_FILE = "etc/tmpfiles.d/readonly-root.conf";
export const RWTAB_FILE = "etc/rwtab.d/readonly-root";
export const FSTAB_FILE = "etc/fstab";

/** The first sentence of a message. */
function firstSentence(s: string): string {
  const m = /^(.*?[.!?])(\s|$)/.exec(s);
  return m ? m[1]! : s;
}

function ref(f: Finding): FindingRef {
  return { ruleId: f.ruleId, path: f.path, line: f.line, column: f.column, message: f.message };
}

class Builder {
  readonly entries = new Map<string, PlanEntry>();

  add(path: string, action: Omit<PlanAction, "findings">, finding: Finding): void {
    let entry = this.entries.get(path);
    if (!entry) this.entries.set(path, (entry = { path, actions: [] }));
    const same = entry.actions.find((a) => a.kind === action.kind && a.text === action.text);
    if (same) {
      if (!same.findings.some((r) => r.ruleId === finding.ruleId && r.path === finding.path && r.line === finding.line && r.column === finding.column)) same.findings.push(ref(finding));
      return;
    }
    entry.actions.push({ ...action, findings: [ref(finding)] });
  }
}

/** Writes of the command a shell finding points at. */
function writesAt(facts: RootfsFacts, f: Finding): RuntimeWrite[] {
  return facts.runtimeWrites.filter((w) => rel(w.file) === f.path && w.line === f.line && w.column === f.column);
}

/** "/etc/ntp.d/eth0.conf" -> "../run/ntp.d/eth0.conf": where a file of /etc moves, as a link target relative to its directory. */
function linkTarget(path: string, base: "/run" | "/var/lib"): { target: string; absolute: string } {
  const inEtc = path.replace(/^\/etc\//, "");
  const absolute = `${base}/${inEtc}`;
  const depth = path.split("/").filter(Boolean).length - 1;
  return { target: `${"../".repeat(depth)}${absolute.slice(1)}`, absolute };
}

const VOLATILE_ROLES = new Set(["boot", "shutdown", "network-hook"]);
/** The trees ROR106 guards. */
const STATIC_TREES = ["/usr", "/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin", "/boot", "/opt"];

function customVarDirOf(dir: string): string | null {
  const parts = dir.split("/").filter(Boolean);
  if (parts[0] !== "var" || parts.length < 2) return null;
  const standard = ["log", "lib", "cache", "spool", "tmp", "mail", "backups", "local", "opt", "run", "lock"];
  if (!standard.includes(parts[1]!)) return `/var/${parts[1]}`;
  return parts.length >= 3 ? `/var/${parts[1]}/${parts[2]}` : null;
}

export async function buildPlan(result: ScanResult): Promise<Plan> {
  const facts = result.facts;
  const view = facts.view;
  const b = new Builder();
  const findings = result.findings.filter((f) => !isSuppressed(f));
  const usesRwtab = facts.rwtab.length > 0 || (view?.resolve("/etc/rwtab.d").entry?.type === "dir");
  const needs: VarNeed[] = view ? varNeeds(view, facts) : [];
  const lineText = async (path: string, line: number): Promise<string | null> => {
    if (!view) return null;
    const r = await view.readText(path);
    return r.ok ? (r.text.split("\n")[line - 1] ?? null) : null;
  };

  for (const f of findings) {
    const why = firstSentence(f.message);
    switch (f.ruleId) {
      case "ROR101":
        b.add("/", { kind: "script", text: `${f.path}:${f.line}: remount / without a literal rw ("mount -o remount /"), so that /etc/fstab decides the mode`, reason: why }, f);
        break;
      case "ROR102": {
        // The directory written into (ROR102 reports custom directories below /var only).
        const dirs = writesAt(facts, f)
          .filter((w) => w.kind === "write" && w.resolved)
          .map((w) => (w.path !== null ? dirname(facts.resolve(w.path)) : w.resolved!))
          .filter((d) => customVarDirOf(d) !== null);
        for (const d of new Set(dirs)) b.add(d, { kind: "tmpfiles", text: `d ${d} 0755 root root -`, reason: `${why} A tmpfiles.d line creates it on every boot, before any service runs.` }, f);
        if (dirs.length === 0) b.add("/var", { kind: "script", text: `${f.path}:${f.line}: create the directory before writing into it ("mkdir -p")`, reason: why }, f);
        break;
      }
      case "ROR103":
        b.add(RESOLV_CONF, { kind: "script", text: `${f.path}:${f.line}: write through the link ("cat NEW > ${RESOLV_CONF}") instead of replacing it`, reason: why }, f);
        break;
      case "ROR104":
        b.add("/etc/adjtime", { kind: "script", text: `${f.path}:${f.line}: write the hardware clock only when configuration asks for it, and pass --noadjfile`, reason: why }, f);
        break;
      case "ROR105": {
        const writes = writesAt(facts, f).filter((w) => w.resolved && isUnder(w.resolved, "/etc") && w.resolved !== "/etc/mtab");
        for (const w of writes) {
          const exact = w.path !== null && !w.path.includes("*") ? facts.resolve(w.path) : null;
          const target = exact ?? w.resolved!;
          const persistent = !w.roles.some((r) => VOLATILE_ROLES.has(r));
          if (usesRwtab) {
            b.add(target, { kind: "rwtab", text: `${exact ? "files" : "dirs"} ${target}`, reason: `${why} rwtab makes it writable (on a tmpfs) when the root is read-only.` }, f);
            continue;
          }
          const isDirWithContent = !exact && view && view.resolve(target).entry?.type === "dir" && view.list(target).length > 0;
          if (isDirWithContent || target === "/etc") {
            b.add(target, { kind: "script", text: `${f.path}:${f.line}: make this at build time, or point the program at a writable place (/run, /var/lib)`, reason: `${why} ${target} holds configuration, so it cannot become a link as a whole.` }, f);
            continue;
          }
          const { target: link, absolute } = linkTarget(target, persistent ? "/var/lib" : "/run");
          b.add(target, { kind: "symlink", text: `${target} -> ${link}`, reason: `${why} ${persistent ? "The data must survive a reboot: keep it under /var/lib" : "It is written on every boot or network event: keep it in /run"} and link to it from /etc.` }, f);
          const parent = dirname(absolute);
          if (parent !== "/run" && parent !== "/var/lib") b.add(target, { kind: "tmpfiles", text: `d ${parent} 0755 root root -`, reason: `The link target's directory must exist before ${f.path} writes.` }, f);
        }
        if (writes.length === 0) b.add("/etc", { kind: "script", text: `${f.path}:${f.line}: do not write under /etc at runtime`, reason: why }, f);
        break;
      }
      case "ROR106": {
        const writes = writesAt(facts, f).filter((w) => w.resolved && STATIC_TREES.some((t) => isUnder(w.resolved!, t)));
        const path = writes[0]?.resolved ?? "/usr";
        b.add(path, { kind: "script", text: `${f.path}:${f.line}: do this in a maintainer script or at build time (an administrative action), or keep the data under /var`, reason: why }, f);
        break;
      }
      case "ROR107":
        b.add("/etc/mtab", { kind: "symlink", text: "/etc/mtab -> ../proc/self/mounts", reason: "The kernel keeps the mount table; a link makes every reader see it and nothing needs to write /etc/mtab." }, f);
        b.add("/etc/mtab", { kind: "script", text: `${f.path}:${f.line}: drop the rewrite of /etc/mtab`, reason: why }, f);
        break;
      case "ROR201": {
        const m = /^(\/\S+) should be in \/usr/.exec(f.message);
        const db = m ? m[1]! : facts.resolve("/" + dirname("/" + f.path).slice(1));
        const name = db.split("/").filter(Boolean).at(-1) ?? "db";
        const depth = db.split("/").filter(Boolean).length - 1;
        const target = `${"../".repeat(depth)}usr/lib/sysimage/${name}`;
        b.add(db, { kind: "symlink", text: `${db} -> ${target}`, reason: `${why} Move the database to /usr/lib/sysimage/${name} (as Fedora did for rpm) and leave a link, so package tools still find it when the root is remounted read-write for an upgrade.` }, f);
        b.add(db, { kind: "tmpfiles", text: `L ${db} - - - - ${target}`, reason: "An empty /var gets the link back at boot." }, f);
        break;
      }
      case "ROR202":
        b.add("/etc/mtab", { kind: "symlink", text: "/etc/mtab -> ../proc/self/mounts", reason: why }, f);
        break;
      case "ROR203": {
        const target = view ? suggestedResolvTarget(resolvWriters(view, facts.runtimeWrites, (p) => facts.resolve(p))) : "../run/resolv.conf";
        b.add(RESOLV_CONF, { kind: "symlink", text: `${RESOLV_CONF} -> ${target}`, reason: `${why} The updater then writes through the link into /run.` }, f);
        break;
      }
      case "ROR204": {
        const root = facts.fstab.filter((e) => e.file === "/").at(-1);
        if (root && f.line === root.line) {
          const now = (await lineText("/etc/fstab", root.line)) ?? "";
          const opts = root.options.filter((o) => o !== "rw" && o !== "defaults");
          const fields = now.trim().split(/\s+/);
          if (fields.length >= 4) fields[3] = ["ro", ...opts].join(",");
          else fields.push(["ro", ...opts].join(","));
          b.add("/", { kind: "fstab", text: fields.join(" "), replaces: { path: FSTAB_FILE, line: root.line, text: now }, reason: why }, f);
        } else {
          b.add("/", { kind: "fstab", text: "LABEL=root / ext4 ro 0 1", reason: `${why} Use the root's real device and type.` }, f);
        }
        break;
      }
      case "ROR205": {
        const tmpMount = facts.units?.units.get("tmp.mount");
        if (facts.init.system === "systemd" && tmpMount && !tmpMount.masked) {
          b.add("/tmp", { kind: "symlink", text: `/etc/systemd/system/local-fs.target.wants/tmp.mount -> ${tmpMount.path}`, reason: `${why} Enabling tmp.mount mounts a tmpfs on /tmp.` }, f);
        } else {
          b.add("/tmp", { kind: "fstab", text: "tmpfs /tmp tmpfs nosuid,nodev,mode=1777 0 0", reason: why }, f);
        }
        break;
      }
      case "ROR206": {
        const real = "/" + f.path;
        const need = needs.find((n) => n.path === real);
        if (!need || !view) {
          b.add(real, { kind: "tmpfiles", text: `d ${real} 0755 root root -`, reason: why }, f);
          break;
        }
        if (need.kind === "skeleton") {
          const lines = tmpfilesLinesFor(view, need);
          need.members.forEach((m, i) => b.add(m, { kind: "tmpfiles", text: lines[i]!, reason: `Part of the /var skeleton that nothing recreates when /var starts empty.` }, f));
          break;
        }
        for (const line of tmpfilesLinesFor(view, need)) b.add(need.path, { kind: "tmpfiles", text: line, reason: why }, f);
        if (need.files > 0) b.add(need.path, { kind: "tmpfiles", text: `# if its content cannot be recreated: ${factoryLine(need)}`, reason: `${need.files} file(s) in the image would be lost with an empty /var.` }, f);
        break;
      }
      case "ROR207":
        b.add("/etc/machine-id", { kind: "file", text: "an empty /etc/machine-id", reason: `${why} systemd then mounts a transient ID over it at every boot.` }, f);
        break;
      case "ROR208": {
        const path = "/" + f.path;
        const target = path.endsWith("lock") ? "../run/lock" : "../run";
        b.add(path, { kind: "symlink", text: `${path} -> ${target}`, reason: why }, f);
        break;
      }
      case "ROR001":
        break;
      default:
        b.add("/" + f.path, { kind: "script", text: `${f.path}:${f.line}: ${firstSentence(f.message)}`, reason: why }, f);
    }
  }

  const entries = [...b.entries.values()].sort((a, c) => (a.path < c.path ? -1 : a.path > c.path ? 1 : 0));
  const collect = (kind: ActionKind) => [...new Set(entries.flatMap((e) => e.actions.filter((a) => a.kind === kind && !a.replaces).map((a) => a.text)))];
  const files: PlanFile[] = [];
  const tmpfiles = collect("tmpfiles").filter((l) => !l.startsWith("#"));
  if (tmpfiles.length) files.push({ path: TMPFILES_FILE, lines: sortTmpfiles(tmpfiles) });
  const rwtab = collect("rwtab");
  if (rwtab.length) files.push({ path: RWTAB_FILE, lines: rwtab });
  const fstab = collect("fstab");
  if (fstab.length) files.push({ path: FSTAB_FILE, lines: fstab });
  const commands: string[] = [];
  for (const e of entries) {
    for (const a of e.actions) {
      const command = commandFor(a, e.path, facts);
      if (command) {
        a.command = command;
        commands.push(command);
      }
    }
  }
  const o = facts.overlayroot;
  const notes: string[] = [];
  if (tmpfiles.length > 0 && facts.tmpfilesRunner === null) {
    notes.push(
      `Nothing in this tree applies tmpfiles.d at boot (init: ${facts.init.system}${facts.tmpfilesInert.length ? `; its ${facts.tmpfilesInert.length} tmpfiles.d line(s) are inert` : ""}). Add a boot step that runs "systemd-tmpfiles --create" (systemd-standalone-tmpfiles) or opentmpfiles once /var is mounted, or create the same directories with "mkdir -p" in a boot script.`,
    );
  }
  return {
    target: result.target,
    entries,
    files,
    commands: [...new Set(commands)],
    overlayroot: o ? { kind: o.kind, path: rel(o.decidedAt.file), line: o.decidedAt.line } : null,
    findings: findings.length,
    notes,
  };
}

/** Quotes a path for sh when it needs it. */
function sh(s: string): string {
  return /^[A-Za-z0-9_./:=+-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}

/**
 * The command that applies an action in the root of the image: links
 * (moving a directory's content first when the link relocates it, removing
 * a directory of runtime data otherwise), an empty machine-id, the fstab
 * line for /.
 */
function commandFor(a: PlanAction, path: string, facts: RootfsFacts): string | undefined {
  const view = facts.view;
  if (a.kind === "symlink") {
    const [link, target] = a.text.split(" -> ") as [string, string];
    const at = rel(link);
    const steps: string[] = [];
    const parent = dirname(link);
    if (view && parent !== "/" && view.resolve(parent).entry?.type !== "dir") steps.push(`mkdir -p ${sh(rel(parent))}`);
    const existing = view?.lstat(facts.resolveEntry(link));
    if (existing?.type === "dir") {
      if (a.findings.some((f) => f.ruleId === "ROR201")) {
        // The database moves to where the link points.
        const dest = rel(normalizeJoin(dirname(link), target));
        steps.push(`mkdir -p ${sh(rel(dirname("/" + dest)))}`, `mv ${sh(at)} ${sh(dest)}`, `ln -s ${sh(target)} ${sh(at)}`);
      } else steps.push(`rm -rf ${sh(at)}`, `ln -s ${sh(target)} ${sh(at)}`);
    } else steps.push(`ln -sfn ${sh(target)} ${sh(at)}`);
    return steps.join(" && ");
  }
  if (a.kind === "file" && path === "/etc/machine-id") return ": > etc/machine-id";
  if (a.kind === "fstab" && a.replaces) return `sed -i '${a.replaces.line}s/.*/${a.text.replace(/[/&\\]/g, "\\$&").replace(/'/g, "'\\''")}/' ${FSTAB_FILE}`;
  return undefined;
}

/** `/var/lib` + `../../usr/lib/x` -> `/usr/lib/x`. */
function normalizeJoin(dir: string, target: string): string {
  if (target.startsWith("/")) return target;
  const parts = dir.split("/").filter(Boolean);
  for (const p of target.split("/")) {
    if (p === "..") parts.pop();
    else if (p && p !== ".") parts.push(p);
  }
  return "/" + parts.join("/");
}

/** Parents before children, links after the directories they sit in. */
function sortTmpfiles(lines: string[]): string[] {
  const path = (l: string) => l.split(/\s+/)[1] ?? "";
  return [...lines].sort((a, b) => (path(a) < path(b) ? -1 : path(a) > path(b) ? 1 : 0));
}
