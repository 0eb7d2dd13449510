/**
 * The static status site (`reports/site/`), lintian-style:
 *
 *   index.html            the distro x rule matrix (counts, links, changes
 *                         since the last run), the trend, downloads, rules
 *   targets/<t>.html      one distribution: its issues in plain words, then
 *                         every finding with a code excerpt, what was fixed,
 *                         input notes, the writable-paths plan
 *   rules/<ID>.html       one rule: where it fires (every target and file,
 *                         counts), then its documentation (docs.md)
 *   data/<t>.json         the raw results of each target's latest run
 *   data/summary.json     the matrix as data
 *
 * Every page is self-contained: inline CSS and SVG, no script, no font, no
 * request to anywhere. Pages are built from history entries only, with
 * everything sorted, so equal entries give equal bytes.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RULES } from "../../rules/index.js";
import type { Rule } from "../engine/rule.js";
import { packageRoot } from "../version.js";
import { LEVEL_RANK, type Level } from "../types.js";
import { escapeHtml, renderMarkdown } from "./mdhtml.js";
import { activeFindings, cmp, excerptFor, isActiveEntryFinding, isWholeFile, levelCounts, plural, serializeEntry, type EntryFinding, type TargetEntry } from "./model.js";
import { findingKey, type Change, type TargetHistory } from "./history.js";
import { bulletsOf, evidenceText, type Bullet } from "./sentences.js";
import { bulletBody, heading } from "./markdown.js";
import { colorOf, trendSvg } from "./svg.js";
import { PLAN_KIND_LABEL, planCounts } from "./plan.js";

const h = escapeHtml;

const CSS = `
:root{--fg:#1d2327;--muted:#5f6b73;--line:#d9dee2;--bg:#fff;--soft:#f5f7f8;--link:#0b57a4;--error:#b3261e;--error-bg:#fbe9e7;--warning:#8a5300;--warning-bg:#fff3dc;--note:#1f5f99;--note-bg:#e6f0fa;--new:#0a7a3d;--hl:#fff5c4}
*{box-sizing:border-box}
body{margin:0;font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
header.top{border-bottom:1px solid var(--line);background:var(--soft)}
header.top div{max-width:1280px;margin:0 auto;padding:10px 24px;display:flex;gap:18px;align-items:baseline;flex-wrap:wrap}
header.top a.brand{font-weight:700;color:var(--fg);text-decoration:none}
main{max-width:1280px;margin:0 auto;padding:8px 24px 48px}
h1{font-size:1.6rem;margin:18px 0 4px;line-height:1.25}
h2{font-size:1.2rem;margin:30px 0 8px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:1.02rem;margin:20px 0 6px}
a{color:var(--link)}
a:not(:hover){text-decoration:none}
p.lead{color:var(--muted);margin:2px 0 14px}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:.88em}
pre{tab-size:4;background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:10px 12px;overflow:auto}
table{border-collapse:collapse}
.scroll{overflow-x:auto}
table.matrix th,table.matrix td{border:1px solid var(--line);padding:5px 8px;text-align:center;white-space:nowrap}
table.matrix th.target,table.matrix td.target{text-align:left;white-space:normal;min-width:12em;max-width:16em}
table.matrix td.target small{display:block;font-size:.78rem}
table.matrix thead th{background:var(--soft);font-weight:600;font-size:.8rem}
table.matrix thead th small{font-weight:400;color:var(--muted)}
table.matrix th.rule,table.matrix td.count{width:2.6em;min-width:2.6em;padding:5px 2px}
table.matrix th.rule{vertical-align:bottom;font-size:.78rem;font-weight:400;padding:8px 2px}
table.matrix th.rule a{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;display:inline-block;text-align:left}
table.matrix th.rule b{font-weight:700}
table.matrix thead th.target,table.matrix thead th.sum{vertical-align:bottom}
table.matrix td.count a{display:block;font-weight:600}
table.plan code{white-space:pre}
table.matrix td.zero{color:#b7bfc5}
td.error{background:var(--error-bg)}td.error a{color:var(--error)}
td.warning{background:var(--warning-bg)}td.warning a{color:var(--warning)}
td.note{background:var(--note-bg)}td.note a{color:var(--note)}
td.total{font-weight:700}
.up{color:var(--error);font-weight:600}.down{color:var(--new);font-weight:600}.same{color:var(--muted)}
table.list{width:100%}
table.list th,table.list td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
table.list th{font-size:.86rem;color:var(--muted);font-weight:600}
.badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:.78rem;font-weight:600;line-height:1.6;vertical-align:1px}
.badge.error{background:var(--error-bg);color:var(--error)}
.badge.warning{background:var(--warning-bg);color:var(--warning)}
.badge.note{background:var(--note-bg);color:var(--note)}
.badge.new{background:#e3f4ea;color:var(--new)}
.badge.role{background:var(--soft);color:var(--muted);border:1px solid var(--line)}
.badge.muted{background:var(--soft);color:var(--muted)}
ul.issues{padding-left:20px}
ul.issues li{margin:6px 0}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:12px 0}
.card{border:1px solid var(--line);border-radius:8px;padding:8px 14px;min-width:8em}
.card b{display:block;font-size:1.35rem}
.card span{color:var(--muted);font-size:.84rem}
article.finding{border:1px solid var(--line);border-radius:8px;margin:12px 0;overflow:hidden}
article.finding:target{outline:3px solid #f2c200;outline-offset:1px}
article.finding header{background:var(--soft);padding:6px 12px;display:flex;gap:8px;flex-wrap:wrap;align-items:baseline;border-bottom:1px solid var(--line)}
article.finding header .loc{font-weight:600}
article.finding .msg{padding:8px 12px 4px;margin:0}
article.finding .chain{padding:0 12px 6px 32px;margin:0;color:var(--muted);font-size:.9rem}
table.code{width:100%;border-top:1px solid var(--line);background:#fbfcfc}
table.code td{tab-size:4;padding:0 10px;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:.84rem;white-space:pre;line-height:1.5}
table.code td.ln{width:1%;text-align:right;color:#98a2a9;user-select:none;border-right:1px solid var(--line)}
table.code tr.hl td{background:var(--hl)}
table.code tr.hl td.ln{color:var(--fg);font-weight:600}
.trend{width:100%;max-width:860px;height:auto;display:block}
.trend .grid{stroke:#e6eaed;stroke-width:1}
.trend .axis{font-size:11px;fill:#6b767d;font-family:system-ui,sans-serif}
ul.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:6px 18px;margin:6px 0}
ul.legend i{display:inline-block;width:12px;height:12px;border-radius:3px;margin-right:6px;vertical-align:-1px}
.doc h3{font-size:1.08rem;margin-top:24px}
pre code{font-size:inherit}
.muted{color:var(--muted)}
footer{max-width:1280px;margin:0 auto;padding:16px 24px 32px;color:var(--muted);font-size:.85rem;border-top:1px solid var(--line)}
`.trim();

interface Ctx {
  histories: TargetHistory[];
  /** Every rule with a page: the registry, plus ids only seen in findings. */
  rules: { id: string; name: string; level: Level; summary: string; rule?: Rule }[];
  colorIndex: (target: string) => number;
  version: string;
  date: string;
}

function layout(title: string, depth: number, body: string, ctx: Ctx): string {
  const up = "../".repeat(depth);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${h(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header class="top"><div><a class="brand" href="${up}index.html">rorlint · read-only root status</a><a href="${up}index.html#matrix">Matrix</a><a href="${up}index.html#trend">Trend</a><a href="${up}index.html#rules">Rules</a><a href="${up}index.html#data">Raw data</a></div></header>
<main>
${body}
</main>
<footer>Generated by rorlint ${h(ctx.version)} on ${h(ctx.date)} from the saved results in reports/history. Every count links to the findings behind it.</footer>
</body>
</html>
`;
}

function ruleFile(id: string): string {
  return `${id.replace(/[^A-Za-z0-9_-]/g, "_")}.html`;
}

function levelBadge(level: Level): string {
  return `<span class="badge ${level}">${level}</span>`;
}

function changeCell(change: Change | null): string {
  if (!change) return `<span class="same" title="first run">—</span>`;
  if (change.added === 0 && change.fixed === 0) return `<span class="same" title="no change since ${h(change.since)}">±0</span>`;
  const parts: string[] = [];
  if (change.added) parts.push(`<span class="up" title="new since ${h(change.since)}">+${change.added}</span>`);
  if (change.fixed) parts.push(`<span class="down" title="fixed since ${h(change.since)}">−${change.fixed}</span>`);
  return parts.join(" ");
}

function changeText(change: Change | null): string {
  if (!change) return "first run";
  return `${change.added} new, ${change.fixed} fixed since ${change.since}`;
}

/** Active findings of a target by rule id. */
function countsByRule(entry: TargetEntry): Map<string, EntryFinding[]> {
  const m = new Map<string, EntryFinding[]>();
  for (const f of activeFindings(entry)) (m.get(f.ruleId) ?? m.set(f.ruleId, []).get(f.ruleId)!).push(f);
  return m;
}

function maxLevel(fs: readonly EntryFinding[]): Level {
  return fs.reduce<Level>((l, f) => (LEVEL_RANK[f.level] > LEVEL_RANK[l] ? f.level : l), "note");
}

/** Rules firing on at least one target, in registry order (then unknown ids). */
function firingRules(ctx: Ctx): Ctx["rules"] {
  const firing = new Set(ctx.histories.flatMap((t) => activeFindings(t.latest).map((f) => f.ruleId)));
  return ctx.rules.filter((r) => firing.has(r.id));
}

function legend(ctx: Ctx, histories: readonly TargetHistory[], depth: number): string {
  const up = "../".repeat(depth);
  return `<ul class="legend">${histories.map((t) => `<li><i style="background:${colorOf(ctx.colorIndex(t.target))}"></i><a href="${up}targets/${t.target}.html">${h(t.latest.title)}</a></li>`).join("")}</ul>`;
}

function indexPage(ctx: Ctx): string {
  const rules = firingRules(ctx);
  const quiet = ctx.rules.filter((r) => !rules.includes(r));
  const b: string[] = [];
  b.push(`<h1>Read-only root: status of distributions</h1>`);
  b.push(
    `<p class="lead">What breaks when these root filesystems are mounted read-only, found by rorlint in the trees themselves. ${plural(ctx.histories.length, "target")}, latest run ${h(ctx.date)}. Each count links to its findings; each rule id to its explanation.</p>`,
  );
  b.push(`<h2 id="matrix">Distributions × rules</h2>`);
  b.push(`<div class="scroll"><table class="matrix" id="matrix-table"><thead><tr><th class="target">Target <small>tested on</small></th>`);
  for (const r of rules) b.push(`<th class="rule" title="${h(`${r.id} ${r.name}: ${r.summary}`)}"><a href="rules/${ruleFile(r.id)}"><b>${h(r.id)}</b> ${h(r.name)}</a></th>`);
  b.push(`<th class="sum">Total</th><th class="sum" title="new and fixed findings since the target's previous run">Changed</th></tr></thead><tbody>`);
  for (const t of ctx.histories) {
    const counts = countsByRule(t.latest);
    const total = activeFindings(t.latest).length;
    b.push(`<tr data-target="${h(t.target)}"><td class="target"><a href="targets/${t.target}.html">${h(t.latest.title)}</a><small class="muted"><span class="mono">${h(t.target)}</span> · ${h(t.latest.date)}</small></td>`);
    for (const r of rules) {
      const fs = counts.get(r.id);
      if (!fs?.length) b.push(`<td class="count zero" data-rule="${h(r.id)}">·</td>`);
      else b.push(`<td class="count ${maxLevel(fs)}" data-rule="${h(r.id)}"><a href="targets/${t.target}.html#rule-${h(r.id)}" title="${h(`${plural(fs.length, "finding")} of ${r.id} on ${t.latest.title}`)}">${fs.length}</a></td>`);
    }
    b.push(`<td class="total">${total}</td><td class="changed">${changeCell(t.change)}</td></tr>`);
  }
  b.push(`</tbody></table></div>`);
  if (quiet.length) b.push(`<p class="muted">Quiet on every target: ${quiet.map((r) => `<a href="rules/${ruleFile(r.id)}" title="${h(r.summary)}">${h(r.id)} ${h(r.name)}</a>`).join(", ")}.</p>`);
  b.push(`<p class="muted">Cell colours give the highest level among the cell's findings: <span class="badge error">error</span> breaks a read-only root, <span class="badge warning">warning</span> breaks it under common setups, <span class="badge note">note</span> is a switch to flip.</p>`);

  b.push(`<h2 id="trend">Trend</h2>`);
  b.push(`<p class="muted">Findings per target at each run (from reports/history).</p>`);
  b.push(trendSvg(ctx.histories, { id: "trend-all", colorIndex: ctx.colorIndex }));
  b.push(legend(ctx, ctx.histories, 0));

  b.push(`<h2 id="rules">Rules</h2>`);
  b.push(`<table class="list"><thead><tr><th>Rule</th><th>Level</th><th>Finds</th><th>Targets</th><th>Findings</th></tr></thead><tbody>`);
  for (const r of ctx.rules) {
    const hits = ctx.histories.map((t) => activeFindings(t.latest).filter((f) => f.ruleId === r.id).length);
    const n = hits.reduce((a, x) => a + x, 0);
    b.push(`<tr><td><a href="rules/${ruleFile(r.id)}">${h(r.id)}</a> <span class="mono">${h(r.name)}</span></td><td>${levelBadge(r.level)}</td><td>${h(r.summary)}</td><td>${hits.filter((x) => x > 0).length}</td><td>${n}</td></tr>`);
  }
  b.push(`</tbody></table>`);

  b.push(`<h2 id="data">Raw data</h2>`);
  b.push(`<p>The results of each target's latest run, in rorlint's JSON format (<code>rorlint scan --format json</code>) with the date, the target, code excerpts and the writable-paths plan added:</p><ul>`);
  for (const t of ctx.histories) b.push(`<li><a href="data/${t.target}.json" download>data/${h(t.target)}.json</a> — ${h(t.latest.title)}, ${h(t.latest.date)}</li>`);
  b.push(`<li><a href="data/summary.json" download>data/summary.json</a> — this matrix, with the changes since each target's previous run</li></ul>`);
  return layout("rorlint · read-only root status", 0, b.join("\n"), ctx);
}

function codeExcerpt(entry: TargetEntry, f: EntryFinding): string {
  if (isWholeFile(f)) return "";
  const ex = excerptFor(entry, f);
  if (!ex) return "";
  const last = Math.max(f.endLine, f.line);
  const rows = ex.lines.map((text, i) => {
    const n = ex.start + i;
    const hl = n >= f.line && n <= last;
    return `<tr${hl ? ` class="hl"` : ""}><td class="ln">${n}</td><td>${h(text) || " "}</td></tr>`;
  });
  return `<table class="code" aria-label="${h(`${f.path} lines ${ex.start}-${ex.start + ex.lines.length - 1}`)}">${rows.join("")}</table>`;
}

function bulletHtml(b: Bullet, depth: number, anchorBase: string): string {
  const up = "../".repeat(depth);
  return bulletBody(b, {
    text: h,
    evidence: (e) => `<a href="${anchorBase}#f${e.index}">${h(evidenceText(e))}</a>`,
    rule: (x) => `— <a href="${up}rules/${ruleFile(x.ruleId)}">${h(x.ruleId)}</a>`,
  });
}

function targetPage(t: TargetHistory, ctx: Ctx): string {
  const e = t.latest;
  const active = activeFindings(e);
  const counts = levelCounts(active);
  const added = new Set<number>();
  if (t.change) {
    // Which findings are new: the same multiset matching as the count.
    const pending = new Map<string, number>();
    for (const k of t.change.addedKeys) pending.set(k, (pending.get(k) ?? 0) + 1);
    for (let i = e.findings.length - 1; i >= 0; i--) {
      const f = e.findings[i]!;
      if (!isActiveEntryFinding(f)) continue;
      const k = findingKey(f);
      const n = pending.get(k) ?? 0;
      if (n > 0) {
        added.add(i);
        pending.set(k, n - 1);
      }
    }
  }
  const b: string[] = [];
  b.push(`<p class="muted"><a href="../index.html">Status</a> › ${h(e.title)}</p>`);
  b.push(`<h1>${h(heading(e))}</h1>`);
  b.push(`<p class="lead">Tested on ${h(e.date)} with rorlint ${h(e.tool.version)} · target <span class="mono">${h(e.target)}</span> · <a href="../data/${e.target}.json" download>raw JSON</a></p>`);
  const src: string[] = [];
  if (e.source.description) src.push(h(e.source.description));
  if (e.source.build) src.push(`Built with <code>${h(e.source.build)}</code>.`);
  if (e.source.path && (e.source.kind === "corpus" || e.source.kind === "sample")) src.push(`Scanned at <code>${h(e.source.path)}</code>.`);
  if (e.source.repository) src.push(`Code scanning alerts of ${e.source.url ? `<a href="${h(e.source.url)}">${h(e.source.repository)}</a>` : h(e.source.repository)}.`);
  if (src.length) b.push(`<p>${src.join(" ")}</p>`);
  b.push(`<div class="cards">`);
  b.push(`<div class="card"><b>${active.length}</b><span>findings</span></div>`);
  for (const l of ["error", "warning", "note"] as const) b.push(`<div class="card"><b>${counts[l]}</b><span>${l}${counts[l] === 1 ? "" : "s"}</span></div>`);
  b.push(`<div class="card"><b>${changeCell(t.change)}</b><span>${h(changeText(t.change))}</span></div>`);
  b.push(`</div>`);

  const bullets = bulletsOf(e);
  b.push(`<h2 id="issues">Issues</h2>`);
  if (bullets.length === 0) b.push(`<p>No problems found.</p>`);
  else b.push(`<ul class="issues">${bullets.map((x) => `<li>${bulletHtml(x, 1, "")}</li>`).join("\n")}</ul>`);

  if (t.entries.length > 1) {
    b.push(`<h2 id="trend">Trend</h2>`);
    b.push(trendSvg([t], { id: "trend-target", colorIndex: ctx.colorIndex, height: 180 }));
  }

  b.push(`<h2 id="findings">Findings</h2>`);
  const byRule = new Map<string, number[]>();
  e.findings.forEach((f, i) => {
    if (!isActiveEntryFinding(f)) return;
    (byRule.get(f.ruleId) ?? byRule.set(f.ruleId, []).get(f.ruleId)!).push(i);
  });
  const order = [...byRule.keys()].sort((a, b2) => LEVEL_RANK[maxLevel(byRule.get(b2)!.map((i) => e.findings[i]!))] - LEVEL_RANK[maxLevel(byRule.get(a)!.map((i) => e.findings[i]!))] || cmp(a, b2));
  if (order.length === 0) b.push(`<p>None.</p>`);
  for (const id of order) {
    const idx = byRule.get(id)!;
    const meta = ctx.rules.find((r) => r.id === id);
    b.push(`<section id="rule-${h(id)}">`);
    b.push(`<h3><a href="../rules/${ruleFile(id)}">${h(id)} ${h(meta?.name ?? e.findings[idx[0]!]!.ruleName)}</a> <span class="badge muted">${plural(idx.length, "finding")}</span></h3>`);
    if (meta) b.push(`<p class="muted">${h(meta.summary)}</p>`);
    for (const i of idx) {
      const f = e.findings[i]!;
      const loc = `${f.path}${isWholeFile(f) ? "" : `:${f.line}:${f.column}`}`;
      b.push(`<article class="finding" id="f${i}" data-rule="${h(f.ruleId)}">`);
      b.push(
        `<header><span class="loc mono">${h(loc)}</span>${levelBadge(f.level)}${f.role ? `<span class="badge role">${h(f.role)}</span>` : ""}${added.has(i) ? `<span class="badge new">new</span>` : ""}${f.url ? `<a href="${h(f.url)}">alert</a>` : ""}</header>`,
      );
      b.push(`<p class="msg">${h(f.message)}</p>`);
      const chain = (f.related ?? []).filter((r) => r.message !== "the command itself");
      if (chain.length) b.push(`<ul class="chain">${chain.map((r) => `<li><span class="mono">${h(`${r.path}:${r.line}`)}</span> ${h(r.message)}</li>`).join("")}</ul>`);
      b.push(codeExcerpt(e, f));
      b.push(`</article>`);
    }
    b.push(`</section>`);
  }

  if (t.change?.fixedFindings.length) {
    b.push(`<h2 id="fixed">Fixed since ${h(t.change.since)}</h2><ul>`);
    for (const f of t.change.fixedFindings) b.push(`<li><a href="../rules/${ruleFile(f.ruleId)}">${h(f.ruleId)}</a> <span class="mono">${h(`${f.path}${isWholeFile(f) ? "" : `:${f.line}`}`)}</span> ${h(f.message)}</li>`);
    b.push(`</ul>`);
  }

  const hidden = e.findings.length - active.length;
  if (hidden) b.push(`<p class="muted">${plural(hidden, "finding")} suppressed by a pragma or covered by a baseline ${hidden === 1 ? "is" : "are"} in the raw JSON, not listed here.</p>`);

  if (e.diagnostics.length) {
    b.push(`<h2 id="notes">Input notes</h2><table class="list"><thead><tr><th>Path</th><th>Code</th><th>Note</th></tr></thead><tbody>`);
    for (const d of e.diagnostics) b.push(`<tr><td class="mono">${h(`${d.path}${d.line ? `:${d.line}` : ""}`)}</td><td class="mono">${h(d.code)}</td><td>${h(d.message)}</td></tr>`);
    b.push(`</tbody></table>`);
  }

  b.push(`<h2 id="plan">Writable-paths plan</h2>`);
  const plan = e.plan;
  if (!plan) b.push(`<p class="muted">${e.source.kind === "github" ? "Not available: the plan needs the tree itself, and this target was read from code scanning alerts." : "Not available for this run: the plan needs the scanned tree (<code>rorlint plan</code>)."}</p>`);
  else if (plan.entries.length === 0) b.push(`<p>Nothing to change: no finding asks for a writable path, a link or a mount.</p>`);
  else {
    const { paths, changes } = planCounts(plan);
    b.push(`<p>What this tree needs in order to boot read-only${e.source.path ? ` (<code>rorlint plan ${h(e.source.path)}</code>)` : ""}: ${plural(paths, "path")}, ${plural(changes, "change")}, from ${plural(plan.findings, "finding")}.</p>`);
    if (plan.overlayroot) b.push(`<p>overlayroot is enabled (${h(plan.overlayroot.kind)}, <span class="mono">${h(`${plan.overlayroot.path}:${plan.overlayroot.line}`)}</span>): its RAM layer hides these problems until the root is really read-only.</p>`);
    b.push(`<div class="scroll"><table class="list plan"><thead><tr><th>Path</th><th>Change</th><th>Why</th><th>From</th></tr></thead><tbody>`);
    for (const pe of plan.entries) {
      pe.actions.forEach((a, k) => {
        const from = a.findings.map((r) => {
          const i = e.findings.findIndex((x) => x.ruleId === r.ruleId && x.path === r.path && x.line === r.line);
          const f = e.findings[i];
          const text = `${r.ruleId} ${r.path}${f && isWholeFile(f) ? "" : `:${r.line}`}`;
          return i >= 0 ? `<a href="#f${i}">${h(text)}</a>` : h(text);
        });
        const kind = PLAN_KIND_LABEL[a.kind] ?? a.kind;
        const replaces = a.replaces ? `<br><small class="muted">replaces ${h(`${a.replaces.path}:${a.replaces.line}`)}: <code>${h(a.replaces.text.trim())}</code></small>` : "";
        b.push(`<tr>${k === 0 ? `<td class="mono" rowspan="${pe.actions.length}">${h(pe.path)}</td>` : ""}<td><span class="badge muted">${h(kind)}</span> <code>${h(a.text)}</code>${replaces}</td><td>${h(a.reason)}</td><td class="mono">${from.join("<br>")}</td></tr>`);
      });
    }
    b.push(`</tbody></table></div>`);
    for (const f of plan.files) b.push(`<h3>Lines for <code>${h(f.path)}</code></h3><pre>${h(f.lines.join("\n"))}</pre>`);
    if (plan.commands.length) b.push(`<h3>Commands, run in the root of the image</h3><pre>${h(plan.commands.join("\n"))}</pre>`);
  }
  return layout(`${heading(e)} · rorlint`, 1, b.join("\n"), ctx);
}

const docsCache = new Map<string, string | null>();

function docsOf(rule: Rule | undefined): string | null {
  if (!rule) return null;
  const key = `${rule.id}-${rule.name}`;
  if (!docsCache.has(key)) {
    try {
      docsCache.set(key, readFileSync(join(packageRoot(), "rules", key, "docs.md"), "utf8"));
    } catch {
      docsCache.set(key, null);
    }
  }
  return docsCache.get(key)!;
}

function rulePage(r: Ctx["rules"][number], ctx: Ctx): string {
  const b: string[] = [];
  b.push(`<p class="muted"><a href="../index.html">Status</a> › <a href="../index.html#rules">Rules</a> › ${h(r.id)}</p>`);
  b.push(`<h1>${h(r.id)} <span class="mono">${h(r.name)}</span> ${levelBadge(r.level)}</h1>`);
  b.push(`<p class="lead">${h(r.summary)}</p>`);
  const rows = ctx.histories.map((t) => ({ t, fs: activeFindings(t.latest).map((f) => ({ f, i: t.latest.findings.indexOf(f) })).filter((x) => x.f.ruleId === r.id) }));
  const firing = rows.filter((x) => x.fs.length > 0);
  const total = firing.reduce((n, x) => n + x.fs.length, 0);
  b.push(`<h2 id="where">Where it fires</h2>`);
  if (firing.length === 0) b.push(`<p>Nowhere: no finding on any of the ${plural(ctx.histories.length, "target")} in their latest run.</p>`);
  else {
    b.push(`<p>${plural(total, "finding")} on ${plural(firing.length, "target")} of ${ctx.histories.length}.</p>`);
    b.push(`<table class="list" id="where-table"><thead><tr><th>Target</th><th>Findings</th><th>Files</th></tr></thead><tbody>`);
    for (const { t, fs } of firing) {
      const files = fs.map(({ f, i }) => `<a class="mono" href="../targets/${t.target}.html#f${i}">${h(evidenceText({ path: f.path, line: isWholeFile(f) ? null : f.line, role: f.role, index: i }))}</a>`);
      b.push(`<tr><td><a href="../targets/${t.target}.html#rule-${h(r.id)}">${h(t.latest.title)}</a><br><small class="muted">${h(t.latest.date)}</small></td><td>${fs.length}</td><td>${files.join("<br>")}</td></tr>`);
    }
    b.push(`</tbody></table>`);
  }
  b.push(`<h2 id="explanation">Explanation</h2>`);
  const docs = docsOf(r.rule);
  if (docs) {
    const linkRules = (s: string) => s.replace(/\bROR\d{3}\b/g, (id) => (id !== r.id && ctx.rules.some((x) => x.id === id) ? `<a href="${ruleFile(id)}">${id}</a>` : id));
    b.push(`<div class="doc">${renderMarkdown(docs.replace(/^#\s[^\n]*\n/, ""), { text: linkRules, headingShift: 1 })}</div>`);
  } else b.push(`<p class="muted">This rule is not in rorlint ${h(ctx.version)}'s registry; its findings came from another version.</p>`);
  return layout(`${r.id} ${r.name} · rorlint`, 1, b.join("\n"), ctx);
}

function summaryJson(ctx: Ctx): string {
  const data = {
    tool: { name: "rorlint", version: ctx.version },
    date: ctx.date,
    rules: ctx.rules.map((r) => ({ id: r.id, name: r.name, level: r.level })),
    targets: ctx.histories.map((t) => {
      const counts: Record<string, number> = {};
      for (const [id, fs] of [...countsByRule(t.latest)].sort((a, b) => cmp(a[0], b[0]))) counts[id] = fs.length;
      return {
        target: t.target,
        title: t.latest.title,
        date: t.latest.date,
        total: activeFindings(t.latest).length,
        counts,
        changed: t.change ? { since: t.change.since, new: t.change.added, fixed: t.change.fixed } : null,
        history: t.entries.map((x) => ({ date: x.date, total: activeFindings(x).length })),
      };
    }),
  };
  return JSON.stringify(data, null, 2) + "\n";
}

/** Every file of the site, by path relative to the site directory. */
export function buildSite(histories: readonly TargetHistory[], version: string): Map<string, string> {
  const known = new Set(RULES.map((r) => r.id));
  const extra = new Map<string, { name: string; level: Level }>();
  for (const t of histories) for (const f of t.latest.findings) if (!known.has(f.ruleId) && !extra.has(f.ruleId)) extra.set(f.ruleId, { name: f.ruleName, level: f.level });
  const rules: Ctx["rules"] = [
    ...RULES.map((r) => ({ id: r.id, name: r.name, level: r.level, summary: r.summary, rule: r })),
    ...[...extra].sort((a, b) => cmp(a[0], b[0])).map(([id, x]) => ({ id, name: x.name, level: x.level, summary: "(not in this version of rorlint)" })),
  ];
  const order = histories.map((t) => t.target);
  const date = histories.map((t) => t.latest.date).sort(cmp).pop() ?? "";
  const ctx: Ctx = { histories: [...histories], rules, colorIndex: (t) => Math.max(0, order.indexOf(t)), version, date };
  const files = new Map<string, string>();
  files.set("index.html", indexPage(ctx));
  for (const t of histories) {
    files.set(`targets/${t.target}.html`, targetPage(t, ctx));
    files.set(`data/${t.target}.json`, serializeEntry(t.latest));
  }
  for (const r of rules) files.set(`rules/${ruleFile(r.id)}`, rulePage(r, ctx));
  files.set("data/summary.json", summaryJson(ctx));
  return files;
}
