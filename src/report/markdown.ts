/**
 * The Markdown reports: `reports/<target>.md` (one target, in the seed's
 * "Debian issues" style, with the writable-paths plan at the end) and
 * `reports/status.md` (the whole "Status of Distributions" section).
 */
import { escapeMarkdown, ruleDocsUrl } from "../format/markdown.js";
import { RULES } from "../../rules/index.js";
import { activeFindings, isWholeFile, levelCounts, plural, type TargetEntry } from "./model.js";
import { bulletsOf, evidenceIsLabel, evidenceText, type Bullet, type BulletGroup, type Evidence } from "./sentences.js";
import type { Change } from "./history.js";
import { PLAN_KIND_LABEL, planCounts, type ReportPlanAction } from "./plan.js";

export interface BulletStyle {
  /** Plain text as the output needs it (escaped). */
  text(s: string): string;
  evidence(e: Evidence): string;
  /** The rule reference after the sentence. */
  rule(b: Bullet): string;
}

function joinAnd(parts: string[]): string {
  return parts.length <= 1 ? (parts[0] ?? "") : `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`;
}

function groupText(g: BulletGroup, style: BulletStyle): string {
  const ev = g.evidence.map((e) => style.evidence(e)).join("; ");
  if (g.label === null) return `(${ev})`;
  return evidenceIsLabel(g) ? style.text(g.label) : `${style.text(g.label)} (${ev})`;
}

/** One bullet as a sentence with its evidence: "text (a:1, boot; b:2, shutdown)" or "text: label (…), label (…)". */
export function bulletBody(b: Bullet, style: BulletStyle): string {
  const plain = b.groups.filter((g) => g.label === null);
  const labelled = b.groups.filter((g) => g.label !== null);
  let s = style.text(b.text);
  if (plain.length) s += ` ${plain.map((g) => groupText(g, style)).join(" ")}`;
  if (labelled.length) s += `: ${joinAnd(labelled.map((g) => groupText(g, style)))}`;
  return `${s} ${style.rule(b)}`;
}

function ruleFor(id: string) {
  return RULES.find((r) => r.id === id);
}

/** Relative link from reports/ to a rule's docs.md. */
function relativeDocs(b: Bullet): string {
  const rule = ruleFor(b.ruleId);
  const name = rule?.name ?? b.ruleName;
  return `— [${b.ruleId}](../rules/${b.ruleId}-${name}/docs.md)`;
}

function absoluteDocs(b: Bullet): string {
  const rule = ruleFor(b.ruleId);
  return rule ? `— [${b.ruleId}](${ruleDocsUrl(rule)})` : `— ${b.ruleId}`;
}

const markdownStyle = (rule: (b: Bullet) => string): BulletStyle => ({
  text: escapeMarkdown,
  evidence: (e) => escapeMarkdown(evidenceText(e)),
  rule,
});

/** The seed's list: items end with a comma, the last with a full stop. */
function bulletList(entry: TargetEntry, style: BulletStyle): string[] {
  const bullets = bulletsOf(entry);
  if (bullets.length === 0) return ["- no problems found."];
  return bullets.map((b, i) => `- ${bulletBody(b, style)}${i === bullets.length - 1 ? "." : ","}`);
}

function testedLine(entry: TargetEntry): string {
  return `Tested on ${entry.date} with rorlint ${entry.tool.version}:`;
}

export function heading(entry: TargetEntry): string {
  return `${entry.title} issues`;
}

function countsLine(entry: TargetEntry, change: Change | null): string {
  const active = activeFindings(entry);
  const c = levelCounts(active);
  const levels = (["error", "warning", "note"] as const).filter((l) => c[l] > 0).map((l) => plural(c[l], l));
  const hidden = entry.findings.length - active.length;
  let s = `${plural(active.length, "finding")}${levels.length ? ` (${levels.join(", ")})` : ""}`;
  if (hidden > 0) s += `, and ${hidden} suppressed or in a baseline`;
  s += ".";
  if (change) s += ` Since the run of ${change.since}: ${change.added} new, ${change.fixed} fixed.`;
  else s += " First run for this target.";
  return s;
}

function sourceParagraph(entry: TargetEntry): string[] {
  const out: string[] = [];
  const s = entry.source;
  const parts: string[] = [];
  if (s.description) parts.push(escapeMarkdown(s.description));
  if (s.build) parts.push(`Built with \`${s.build}\`${s.kind === "corpus" ? ` (\`npm run corpus -- ${entry.target}\`)` : ""}.`);
  if (s.repository) parts.push(`Code scanning alerts of ${s.url ? `[${escapeMarkdown(s.repository)}](${s.url})` : escapeMarkdown(s.repository)}.`);
  if (parts.length) out.push(parts.join(" "), "");
  if (s.path && (s.kind === "corpus" || s.kind === "sample")) {
    out.push(`Every item is a rorlint finding in that tree: \`rorlint scan ${s.path}\` lists each with a code frame, and [the status page](site/targets/${entry.target}.html) shows each with its code.`, "");
  } else {
    out.push(`Every item is a rorlint finding: [the status page](site/targets/${entry.target}.html) shows each one.`, "");
  }
  return out;
}

/** Text of a plan action's findings: "ROR102 etc/init.d/urandom:76, ROR206 var/lib/urandom" (no line for whole-file findings). */
export function planFrom(a: ReportPlanAction, entry: TargetEntry): string {
  return a.findings
    .map((r) => {
      const f = entry.findings.find((x) => x.ruleId === r.ruleId && x.path === r.path && x.line === r.line);
      return `${r.ruleId} ${r.path}${f && isWholeFile(f) ? "" : `:${r.line}`}`;
    })
    .join(", ");
}

/** The writable-paths plan as Markdown (the last section of a target report). */
export function planMarkdown(entry: TargetEntry): string[] {
  const out = ["## Writable-paths plan", ""];
  const plan = entry.plan;
  if (!plan) {
    out.push(entry.source.kind === "github" ? "Not available: the plan needs the tree itself, and this target was read from code scanning alerts." : "Not available for this run: the plan needs the scanned tree (`rorlint plan`).", "");
    return out;
  }
  const { paths, changes } = planCounts(plan);
  if (paths === 0) {
    out.push("Nothing to change: no finding asks for a writable path, a link or a mount.", "");
    return out;
  }
  const cmd = entry.source.path ? ` (\`rorlint plan ${entry.source.path}\`)` : "";
  out.push(`What this tree needs in order to boot read-only${cmd}: ${plural(paths, "path")}, ${plural(changes, "change")}, from ${plural(plan.findings, "finding")}.`, "");
  if (plan.overlayroot) out.push(`overlayroot is enabled (${escapeMarkdown(plan.overlayroot.kind)}, ${escapeMarkdown(plan.overlayroot.path)}:${plan.overlayroot.line}): its RAM layer hides these problems until the root is really read-only.`, "");
  const cell = (s: string) => escapeMarkdown(s).replace(/\n/g, " ");
  const code = (s: string) => "`" + s.replace(/`/g, "'").replace(/\|/g, "\\|") + "`";
  out.push("| path | change | why | from |", "|---|---|---|---|");
  for (const e of plan.entries) {
    for (const a of e.actions) {
      const change = `${PLAN_KIND_LABEL[a.kind] ?? cell(a.kind)}: ${code(a.text)}${a.replaces ? ` (replaces ${cell(`${a.replaces.path}:${a.replaces.line}`)})` : ""}`;
      out.push(`| ${code(e.path)} | ${change} | ${cell(a.reason)} | ${cell(planFrom(a, entry))} |`);
    }
  }
  out.push("");
  for (const f of plan.files) out.push(`Lines for \`${f.path}\`:`, "", "```", ...f.lines, "```", "");
  if (plan.commands.length) out.push("Commands, run in the root of the image:", "", "```sh", ...plan.commands, "```", "");
  return out;
}

/** `reports/<target>.md` */
export function targetMarkdown(entry: TargetEntry, change: Change | null): string {
  const out: string[] = [`# ${escapeMarkdown(heading(entry))}`, "", testedLine(entry), ""];
  out.push(...bulletList(entry, markdownStyle(relativeDocs)), "");
  out.push(countsLine(entry, change), "");
  out.push(...sourceParagraph(entry));
  const notes = entry.diagnostics.filter((d) => d.code !== "source-missing");
  if (notes.length) {
    out.push(`Input notes (files rorlint could not read as expected): ${notes.map((d) => `${escapeMarkdown(d.path)}${d.line ? `:${d.line}` : ""} (${escapeMarkdown(d.code)})`).join(", ")}.`, "");
  }
  out.push(...planMarkdown(entry));
  return out.join("\n").replace(/\n+$/, "\n");
}

/** `reports/status.md`: the seed's "Status of Distributions" section, ready to paste (absolute rule links). */
export function statusMarkdown(entries: readonly TargetEntry[]): string {
  const out: string[] = ["## Status of Distributions", ""];
  const github = entries.length > 0 && entries.every((e) => e.source.kind === "github");
  out.push(
    github
      ? "What breaks when these packages' files run on a read-only root, from the rorlint code scanning alerts of their repositories. Each item names the rule that finds it and where (file:line)."
      : "What breaks when these root filesystems are mounted read-only, as found by rorlint in the trees themselves (each Debian target is built reproducibly with debootstrap from a manifest in corpora/targets/). Each item names the rule that finds it and where (file:line, and the role of the script: when it runs).",
    "",
  );
  for (const entry of entries) {
    out.push(`### ${escapeMarkdown(heading(entry))}`, "", testedLine(entry), "");
    out.push(...bulletList(entry, markdownStyle(absoluteDocs)), "");
  }
  return out.join("\n").replace(/\n+$/, "\n");
}
