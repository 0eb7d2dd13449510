/**
 * A tiny Markdown renderer for the subset the rules' docs.md use: ATX
 * headings, paragraphs, "-" lists (with indented continuation lines),
 * fenced code blocks, and inline code, **strong**, *emphasis*, [links](url)
 * and bare URLs. Everything else is shown as text, escaped: docs.md is
 * trusted, but the renderer never passes raw HTML through.
 */

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

export interface RenderOptions {
  /** Called on runs of plain text (already escaped), e.g. to link rule ids. */
  text?: (escaped: string) => string;
  /** Added to heading levels (1: "#" becomes <h2>). */
  headingShift?: number;
}

const SAFE_URL = /^(https?:\/\/|mailto:|#|\.{0,2}\/|[A-Za-z0-9_.-]+(\/|#|\.html|\.md|$))/;

/** Inline Markdown of one paragraph or list item. */
export function renderInline(src: string, options: RenderOptions = {}): string {
  const text = options.text ?? ((s: string) => s);
  let out = "";
  let plain = "";
  const flush = () => {
    if (plain) out += text(escapeHtml(plain));
    plain = "";
  };
  let i = 0;
  while (i < src.length) {
    const rest = src.slice(i);
    let m: RegExpExecArray | null;
    if (rest[0] === "\\" && /^\\[\\`*_[\]()#<>|{}.!-]/.test(rest)) {
      plain += rest[1];
      i += 2;
    } else if ((m = /^(`+)([\s\S]*?[^`])\1(?!`)/.exec(rest))) {
      flush();
      out += `<code>${escapeHtml(m[2]!.replace(/^ (.*) $/, "$1"))}</code>`;
      i += m[0].length;
    } else if ((m = /^\*\*(?=\S)([\s\S]*?\S)\*\*/.exec(rest))) {
      flush();
      out += `<strong>${renderInline(m[1]!, options)}</strong>`;
      i += m[0].length;
    } else if ((m = /^\*(?=[^\s*])([\s\S]*?[^\s*])\*(?!\*)/.exec(rest))) {
      flush();
      out += `<em>${renderInline(m[1]!, options)}</em>`;
      i += m[0].length;
    } else if ((m = /^\[([^\]]+)\]\(([^)\s]+)\)/.exec(rest)) && SAFE_URL.test(m[2]!)) {
      flush();
      out += `<a href="${escapeHtml(m[2]!)}">${renderInline(m[1]!, options)}</a>`;
      i += m[0].length;
    } else if ((m = /^https?:\/\/[^\s<>()]*[^\s<>().,;:!?'"]/.exec(rest)) && !/[A-Za-z0-9]$/.test(plain)) {
      flush();
      out += `<a href="${escapeHtml(m[0])}">${escapeHtml(m[0])}</a>`;
      i += m[0].length;
    } else {
      plain += rest[0];
      i += 1;
    }
  }
  flush();
  return out;
}

/** Renders a Markdown document of the docs.md subset to HTML. */
export function renderMarkdown(src: string, options: RenderOptions = {}): string {
  const lines = src.replace(/\r\n?/g, "\n").split("\n");
  const out: string[] = [];
  const shift = options.headingShift ?? 0;
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === "") {
      i++;
      continue;
    }
    const fence = /^(\s*)(```+|~~~+)\s*([\w+-]*)\s*$/.exec(line);
    if (fence) {
      const close = fence[2]!;
      const body: string[] = [];
      i++;
      while (i < lines.length && !(lines[i]!.trim().startsWith(close) && lines[i]!.trim().replace(/[`~]/g, "") === "")) body.push(lines[i++]!);
      i++; // the closing fence
      const lang = fence[3] ? ` class="language-${escapeHtml(fence[3])}"` : "";
      out.push(`<pre><code${lang}>${escapeHtml(body.join("\n"))}</code></pre>`);
      continue;
    }
    const h = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      const level = Math.min(6, h[1]!.length + shift);
      out.push(`<h${level}>${renderInline(h[2]!, options)}</h${level}>`);
      i++;
      continue;
    }
    if (/^\s*[-*+]\s+/.test(line)) {
      const items: string[] = [];
      while (i < lines.length) {
        const l = lines[i]!;
        const start = /^\s*[-*+]\s+(.*)$/.exec(l);
        if (start) {
          items.push(start[1]!);
          i++;
        } else if (l.trim() !== "" && /^\s+\S/.test(l) && items.length) {
          items[items.length - 1] += ` ${l.trim()}`;
          i++;
        } else break;
      }
      out.push(`<ul>\n${items.map((it) => `<li>${renderInline(it, options)}</li>`).join("\n")}\n</ul>`);
      continue;
    }
    if (/^\s*\d+[.)]\s+/.test(line)) {
      const items: string[] = [];
      while (i < lines.length) {
        const l = lines[i]!;
        const start = /^\s*\d+[.)]\s+(.*)$/.exec(l);
        if (start) {
          items.push(start[1]!);
          i++;
        } else if (l.trim() !== "" && /^\s+\S/.test(l) && items.length) {
          items[items.length - 1] += ` ${l.trim()}`;
          i++;
        } else break;
      }
      out.push(`<ol>\n${items.map((it) => `<li>${renderInline(it, options)}</li>`).join("\n")}\n</ol>`);
      continue;
    }
    if (/^>\s?/.test(line)) {
      const quote: string[] = [];
      while (i < lines.length && /^>\s?/.test(lines[i]!)) quote.push(lines[i++]!.replace(/^>\s?/, ""));
      out.push(`<blockquote>${renderMarkdown(quote.join("\n"), options)}</blockquote>`);
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== "" && !/^(#{1,6}\s|\s*```|\s*~~~|\s*[-*+]\s+|\s*\d+[.)]\s+|>)/.test(lines[i]!)) para.push(lines[i++]!.trim());
    if (para.length === 0) {
      // A line no block rule took (should not happen): show it as text.
      para.push(lines[i++]!.trim());
    }
    out.push(`<p>${renderInline(para.join(" "), options)}</p>`);
  }
  return out.join("\n");
}
