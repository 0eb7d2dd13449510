/**
 * The history trend as inline SVG: findings per target over time, one line
 * per target, a point per run (with a tooltip), no script and no external
 * resource.
 */
import { escapeHtml } from "./mdhtml.js";
import { activeFindings, cmp, plural } from "./model.js";
import type { TargetHistory } from "./history.js";

/** Colour-blind-safe colours (Okabe and Ito), then a few more. */
export const PALETTE = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#7f6a00", "#444444", "#8c2d04", "#6a3d9a"];

export function colorOf(index: number): string {
  return PALETTE[index % PALETTE.length]!;
}

function niceMax(n: number): number {
  if (n <= 5) return 5;
  const mag = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * mag >= n) return step * mag;
  return 10 * mag;
}

export interface TrendOptions {
  width?: number;
  height?: number;
  /** An id for the title element (aria-labelledby). */
  id: string;
  /** Index of each target in the palette (so a target keeps its colour on every page). */
  colorIndex: (target: string) => number;
}

/** The trend of the given targets; every date any of them was run on is a column. */
export function trendSvg(histories: readonly TargetHistory[], options: TrendOptions): string {
  const width = options.width ?? 860;
  const height = options.height ?? 240;
  const pad = { left: 44, right: 16, top: 16, bottom: 36 };
  const dates = [...new Set(histories.flatMap((h) => h.entries.map((e) => e.date)))].sort(cmp);
  const series = histories.map((h) => ({ target: h.target, title: h.latest.title, points: h.entries.map((e) => ({ date: e.date, n: activeFindings(e).length })) }));
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.points.map((p) => p.n))));
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const x = (date: string) => {
    const i = dates.indexOf(date);
    return pad.left + (dates.length === 1 ? plotW / 2 : (plotW * i) / (dates.length - 1));
  };
  const y = (n: number) => pad.top + plotH - (plotH * n) / max;
  const r = (v: number) => Math.round(v * 10) / 10;
  const label = `Findings per target over time, ${dates.length === 1 ? `one run (${dates[0]})` : `${dates.length} runs from ${dates[0]} to ${dates[dates.length - 1]}`}`;
  const out: string[] = [];
  out.push(`<svg class="trend" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${options.id}-title">`);
  out.push(`<title id="${options.id}-title">${escapeHtml(label)}</title>`);
  // Grid and y axis.
  const ticks = 5;
  for (let t = 0; t <= ticks; t++) {
    const v = (max * t) / ticks;
    const yy = r(y(v));
    out.push(`<line class="grid" x1="${pad.left}" x2="${width - pad.right}" y1="${yy}" y2="${yy}"/>`);
    out.push(`<text class="axis" x="${pad.left - 6}" y="${r(yy + 4)}" text-anchor="end">${Number.isInteger(v) ? v : v.toFixed(1)}</text>`);
  }
  // x axis labels: every date when they fit, else a subset.
  const every = Math.max(1, Math.ceil(dates.length / Math.max(1, Math.floor(plotW / 90))));
  dates.forEach((d, i) => {
    if (i % every !== 0 && i !== dates.length - 1) return;
    const anchor = dates.length === 1 ? "middle" : i === 0 ? "start" : i === dates.length - 1 ? "end" : "middle";
    out.push(`<text class="axis" x="${r(x(d))}" y="${height - pad.bottom + 18}" text-anchor="${anchor}">${d}</text>`);
  });
  for (const s of series) {
    const color = colorOf(options.colorIndex(s.target));
    const pts = s.points.map((p) => `${r(x(p.date))},${r(y(p.n))}`).join(" ");
    out.push(`<g class="series" data-target="${escapeHtml(s.target)}">`);
    if (s.points.length > 1) out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts}"/>`);
    for (const p of s.points) {
      out.push(`<circle cx="${r(x(p.date))}" cy="${r(y(p.n))}" r="4" fill="${color}"><title>${escapeHtml(`${s.title}, ${p.date}: ${plural(p.n, "finding")}`)}</title></circle>`);
    }
    out.push(`</g>`);
  }
  out.push(`</svg>`);
  return out.join("\n");
}
