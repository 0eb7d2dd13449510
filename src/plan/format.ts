/** `rorlint plan` output: text for a reader, JSON for tools. */
import { VERSION } from "../version.js";
import type { ActionKind, Plan } from "./build.js";

/** How each kind of change is named in the plan's output (text, Markdown, the site). */
export const LABEL: Record<ActionKind, string> = {
  fstab: "fstab",
  symlink: "symlink",
  tmpfiles: "tmpfiles.d",
  rwtab: "rwtab",
  file: "file",
  script: "script",
};

export function formatPlanText(plan: Plan): string {
  const out: string[] = [];
  out.push(`Read-only root plan for ${plan.target}`);
  if (plan.entries.length === 0) {
    out.push("", "Nothing to change: no finding asks for a writable path, a link or a mount.", "");
    return out.join("\n");
  }
  const actions = plan.entries.reduce((n, e) => n + e.actions.length, 0);
  out.push(`${plan.entries.length} path${plan.entries.length === 1 ? "" : "s"}, ${actions} change${actions === 1 ? "" : "s"}, from ${plan.findings} finding${plan.findings === 1 ? "" : "s"} of "rorlint scan".`);
  if (plan.overlayroot) {
    out.push(`overlayroot is enabled (${plan.overlayroot.kind}, ${plan.overlayroot.path}:${plan.overlayroot.line}): its RAM layer hides these problems until the root is really read-only.`);
  }
  for (const n of plan.notes) out.push(`Note: ${n}`);
  const width = Math.max(...Object.values(LABEL).map((l) => l.length));
  for (const e of plan.entries) {
    out.push("", e.path);
    for (const a of e.actions) {
      out.push(`  ${LABEL[a.kind].padEnd(width)}  ${a.text}`);
      const pad = " ".repeat(width + 4);
      if (a.replaces) out.push(`${pad}replaces ${a.replaces.path}:${a.replaces.line}: ${a.replaces.text.trim()}`);
      out.push(`${pad}why: ${a.reason}`);
      out.push(`${pad}from: ${a.findings.map((f) => `${f.ruleId} ${f.path}:${f.line}`).join(", ")}`);
    }
  }
  if (plan.files.length > 0) {
    out.push("", "Lines to add, by file:");
    for (const f of plan.files) {
      out.push(`  ${f.path}:`);
      for (const l of f.lines) out.push(`    ${l}`);
    }
  }
  if (plan.commands.length > 0) {
    out.push("", "Commands, run in the root of the image:");
    for (const c of plan.commands) out.push(`  ${c}`);
  }
  out.push("");
  return out.join("\n");
}

export function formatPlanJson(plans: Plan[]): string {
  const body = {
    tool: { name: "rorlint", version: VERSION },
    plans: plans.map((p) => ({
      target: p.target,
      findings: p.findings,
      overlayroot: p.overlayroot,
      notes: p.notes,
      entries: p.entries,
      files: p.files,
      commands: p.commands,
    })),
  };
  return JSON.stringify(body, null, 2) + "\n";
}

export const PLAN_FORMATS: Record<string, (plans: Plan[]) => string> = {
  text: (plans) => plans.map(formatPlanText).join("\n"),
  json: formatPlanJson,
};
