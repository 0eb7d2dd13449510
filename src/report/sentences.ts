/**
 * The plain-words sentence of each rule, in the voice of the seed's
 * "Status of Distributions" lists ("/var/lib/dpkg should be in /usr",
 * "boot scripts shouldn't touch hardware clock without user configuring
 * them to do so"), and how a target's findings become those bullets.
 *
 * Keyed by rule id, next to nothing else: the rules' own modules stay
 * untouched. Findings of one rule that say the same thing become one
 * bullet; within it, findings about the same thing (a directory, a written
 * path) share a label, and every finding is evidence (file:line, role).
 * Sentences read only what the findings say (rule id, role, message), so
 * they work the same on saved JSON and on GitHub alerts.
 */
import { LEVEL_RANK, type Level, type Role } from "../types.js";
import { RULES } from "../../rules/index.js";
import { activeFindings, cmp, isWholeFile, type EntryFinding, type TargetEntry } from "./model.js";

export interface Evidence {
  path: string;
  /** null for a finding about a whole file or directory. */
  line: number | null;
  role: Role | null;
  /** Index of the finding in `entry.findings` (the anchor on the site). */
  index: number;
}

export interface BulletGroup {
  /** What this part of the bullet is about ("/var/lib/urandom"); null when the sentence says it all. */
  label: string | null;
  evidence: Evidence[];
}

export interface Bullet {
  ruleId: string;
  ruleName: string;
  /** The highest level among its findings. */
  level: Level;
  /** The sentence, in plain words, without evidence. */
  text: string;
  groups: BulletGroup[];
  /** Findings behind the bullet. */
  count: number;
}

interface SeedSentence {
  /** The sentence for a group of findings of the rule (all share it when it does not depend on the finding). */
  sentence(findings: readonly EntryFinding[]): string;
  /** What one finding is about, when a bullet lists several things. */
  label?(f: EntryFinding): string | null;
  /** Splits the rule's findings into bullets that say different things (default: one bullet). */
  key?(f: EntryFinding): string;
}

/** Who runs the scripts behind the findings, in the seed's words: "boot scripts", "boot scripts and periodic jobs". */
export function who(findings: readonly EntryFinding[]): string {
  const names: string[] = [];
  const roles = new Set(findings.map((f) => f.role));
  if (roles.has("boot") || roles.has("shutdown") || roles.has("library")) names.push("boot scripts");
  if (roles.has("network-hook")) names.push("network hooks");
  if (roles.has("periodic")) names.push("periodic jobs");
  if (roles.has("maintainer")) names.push("maintainer scripts");
  if (names.length === 0) names.push("scripts");
  return names.length === 1 ? names[0]! : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

const match = (re: RegExp, s: string): string | null => re.exec(s)?.[1] ?? null;

/**
 * The seed's sentence per rule. A rule missing here (a new rule, or an
 * alert from another version) falls back to its summary.
 */
export const SEED_SENTENCES: Record<string, SeedSentence> = {
  ROR001: {
    sentence: () => "rorlint suppression comments should still match a finding (these no longer do)",
  },
  ROR101: {
    sentence: (fs) => `${who(fs)} shouldn't remount the root filesystem read-write unconditionally, but use the options from /etc/fstab`,
  },
  ROR102: {
    sentence: (fs) => `${who(fs)} should create required directories in /var if they are not present`,
    label: (f) => match(/^Writes into (\/\S+?), which/, f.message),
  },
  ROR103: {
    sentence: (fs) => `${who(fs)} should do "cat xxx > /etc/resolv.conf" instead of "mv xxx /etc/resolv.conf"`,
  },
  ROR104: {
    sentence: (fs) => `${who(fs)} shouldn't touch the hardware clock without the user configuring them to do so`,
  },
  ROR105: {
    sentence: (fs) => `${who(fs)} shouldn't write to /etc during normal operation`,
    label: (f) => match(/^Writes (\/\S+) under \/etc/, f.message),
  },
  ROR106: {
    sentence: (fs) => `${who(fs)} shouldn't write to /usr, /lib, /bin, /sbin, /boot or /opt during normal operation`,
    label: (f) => match(/^Writes (\/\S+) in a static tree/, f.message),
  },
  ROR107: {
    sentence: (fs) => `${who(fs)} shouldn't rewrite /etc/mtab, which the image should ship as a symlink to /proc/self/mounts`,
  },
  ROR201: {
    // "/var/lib/dpkg should be in /usr. The dpkg database ..." -> "/var/lib/dpkg should be in /usr"
    sentence: (fs) => match(/^(\/\S+ should be in \/usr)\b/, fs[0]!.message) ?? "the package database should be in /usr",
    key: (f) => match(/^(\/\S+) should be in/, f.message) ?? "",
  },
  ROR202: {
    sentence: () => "/etc/mtab should be a symlink to /proc/self/mounts",
    label: (f) => {
      const state = match(/^\/etc\/mtab (is [^:]+):/, f.message);
      return state ? `it ${state}` : null;
    },
  },
  ROR203: {
    sentence: (fs) => {
      const writers = match(/, but (.+?) rewrites? it at runtime/, fs[0]!.message);
      return `/etc/resolv.conf should be a symbolic link to some writable location${writers ? `, since ${writers} rewrite${/ and |, /.test(writers) ? "" : "s"} it` : ""}`;
    },
    label: (f) => {
      const state = match(/^\/etc\/resolv\.conf (is [^,]+), but/, f.message);
      return state ? `it ${state}` : null;
    },
  },
  ROR204: {
    sentence: () => `/etc/fstab should mount the root filesystem with the "ro" flag`,
    label: (f) => {
      if (/has no entry for \//.test(f.message)) return "it has no entry for /";
      const opts = match(/has the options "([^"]*)"/, f.message);
      return opts !== null ? `its options are "${opts}"` : null;
    },
  },
  ROR205: {
    sentence: () => "/etc/fstab (or the init system) should mount a tmpfs on /tmp",
  },
  ROR206: {
    sentence: () => "boot scripts should recreate what the image keeps in /var when /var starts empty (a tmpfiles.d line, or mkdir -p after mounting filesystems)",
    label: (f) => {
      const skeleton = match(/^The skeleton of \/var \(([^)]*)\)/, f.message);
      if (skeleton) return `/var/{${skeleton.split(/,\s*/).join(",")}}`;
      return `/${f.path}`;
    },
  },
  ROR207: {
    sentence: () => "/etc/machine-id should exist in the image (an empty file is enough) when systemd is the init",
    label: (f) => {
      const state = match(/\/etc\/machine-id (is [^.]+)\./, f.message);
      return state ? `it ${state}` : null;
    },
  },
  ROR208: {
    sentence: (fs) => {
      const m = /^(\/\S+) is [^:]+: it should be a symlink to (\S+?),/.exec(fs[0]!.message);
      return m ? `${m[1]} should be a symlink to ${m[2]}` : "/var/run and /var/lock should be symlinks to /run and /run/lock";
    },
    label: (f) => {
      const state = match(/^\/\S+ (is [^:]+):/, f.message);
      return state ? `it ${state}` : null;
    },
    key: (f) => match(/^(\/\S+) is/, f.message) ?? "",
  },
};

function fallbackSentence(ruleId: string, findings: readonly EntryFinding[]): string {
  const rule = RULES.find((r) => r.id === ruleId);
  const text = rule?.summary ?? findings[0]!.message.split(/(?<=\.)\s/)[0]!.replace(/\.$/, "");
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function maxLevel(findings: readonly EntryFinding[]): Level {
  return findings.reduce<Level>((l, f) => (LEVEL_RANK[f.level] > LEVEL_RANK[l] ? f.level : l), "note");
}

/**
 * The bullets of a target: one per rule and thing said, errors first, then
 * warnings, then notes (the switches to flip), each by rule id.
 */
export function bulletsOf(entry: TargetEntry): Bullet[] {
  const active = new Set(activeFindings(entry));
  const byRule = new Map<string, { f: EntryFinding; index: number }[]>();
  entry.findings.forEach((f, index) => {
    if (!active.has(f)) return;
    (byRule.get(f.ruleId) ?? byRule.set(f.ruleId, []).get(f.ruleId)!).push({ f, index });
  });
  const bullets: Bullet[] = [];
  for (const [ruleId, items] of byRule) {
    const seed = SEED_SENTENCES[ruleId];
    const byKey = new Map<string, typeof items>();
    for (const it of items) {
      const k = seed?.key?.(it.f) ?? "";
      (byKey.get(k) ?? byKey.set(k, []).get(k)!).push(it);
    }
    for (const k of [...byKey.keys()].sort(cmp)) {
      const group = byKey.get(k)!;
      const fs = group.map((g) => g.f);
      const text = seed ? seed.sentence(fs) : fallbackSentence(ruleId, fs);
      const byLabel = new Map<string, BulletGroup>();
      for (const { f, index } of group) {
        const label = seed?.label?.(f) ?? null;
        const key = label ?? "\0";
        const g = byLabel.get(key) ?? byLabel.set(key, { label, evidence: [] }).get(key)!;
        const line = isWholeFile(f) ? null : f.line;
        if (!g.evidence.some((e) => e.path === f.path && e.line === line && e.role === f.role)) g.evidence.push({ path: f.path, line, role: f.role, index });
      }
      // Labels in order of their first evidence (the file order), unlabelled first.
      const groups = [...byLabel.values()].sort((a, b) => (a.label === null ? -1 : b.label === null ? 1 : a.evidence[0]!.index - b.evidence[0]!.index));
      bullets.push({ ruleId, ruleName: fs[0]!.ruleName, level: maxLevel(fs), text, groups, count: fs.length });
    }
  }
  return bullets.sort((a, b) => LEVEL_RANK[b.level] - LEVEL_RANK[a.level] || cmp(a.ruleId, b.ruleId) || cmp(a.text, b.text));
}

/** "etc/init.d/hwclock.sh:42, shutdown" */
export function evidenceText(e: Evidence): string {
  return `${e.path}${e.line !== null ? `:${e.line}` : ""}${e.role ? `, ${e.role}` : ""}`;
}

/**
 * Whether a group's evidence adds nothing to its label: a whole-directory
 * finding whose label is the directory itself ("/var/lib/dhcp" from
 * var/lib/dhcp), or the /var skeleton from "var".
 */
export function evidenceIsLabel(g: BulletGroup): boolean {
  const label = g.label;
  if (label === null) return false;
  return g.evidence.every((e) => e.line === null && e.role === null && (label === `/${e.path}` || label.startsWith(`/${e.path}/`)));
}
