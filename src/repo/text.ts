/**
 * Masked text: shell embedded in another file (an RPM scriptlet, a systemd
 * `ExecStart=/bin/sh -c '...'`, a crontab command, a logrotate
 * `postrotate` block) presented to the shell parser as a text with the same
 * lines as the original file.
 *
 * Everything that is not the embedded shell is replaced by spaces, newlines
 * kept, so the shell sits at its original line and column and the parser's
 * spans need no remapping. Where the embedding's own quoting cannot be
 * removed without changing lengths (a systemd `\"` or `$$`, an RPM macro
 * replaced by its value), the line gets shorter or longer from that point
 * on, and a {@link PositionMap} records the column shifts of that line.
 * Lines never move: a replacement never adds or removes a newline.
 */

/** One replaced stretch of a line: virtual columns [vStart, vStart+vLen) stand for original [oStart, oStart+oLen) (0-based). */
interface Segment {
  vStart: number;
  vLen: number;
  oStart: number;
  oLen: number;
}

/** Maps positions in a masked text back to the original file (lines are the same; columns may shift). */
export class PositionMap {
  constructor(private readonly lines: ReadonlyMap<number, readonly Segment[]>) {}

  /** The original column of a 1-based virtual (line, column); `end` for exclusive end columns. */
  column(line: number, column: number, end = false): number {
    const segs = this.lines.get(line);
    if (!segs) return column;
    const v = column - 1;
    let delta = 0;
    for (const s of segs) {
      if (v < s.vStart || (end && v === s.vStart)) break;
      if (v < s.vStart + s.vLen) return (end ? s.oStart + s.oLen : s.oStart) + 1;
      delta = s.oStart + s.oLen - (s.vStart + s.vLen);
    }
    return v + delta + 1;
  }
}

export interface Masked {
  /** Same number of lines as the original; the embedded shell where it was. */
  text: string;
  /** null when every column is where it was in the original. */
  map: PositionMap | null;
}

/**
 * Builds a masked text left to right over the original: each call consumes
 * the original up to an offset, either masking, copying or replacing it.
 */
export class MaskBuilder {
  private readonly out: string[] = [];
  private pos = 0;
  private line = 1;
  /** Column (0-based) in the original and in the virtual text on the current line. */
  private oCol = 0;
  private vCol = 0;
  private readonly segments = new Map<number, Segment[]>();

  constructor(readonly original: string) {}

  /** Offset consumed so far. */
  get offset(): number {
    return this.pos;
  }

  /** Spaces for original[pos, to), newlines kept. */
  mask(to: number): this {
    this.check(to);
    const chunk = this.original.slice(this.pos, to);
    this.out.push(chunk.replace(/[^\n]/g, " "));
    this.advance(chunk);
    return this;
  }

  /** original[pos, to) unchanged. */
  copy(to: number): this {
    this.check(to);
    const chunk = this.original.slice(this.pos, to);
    this.out.push(chunk);
    this.advance(chunk);
    return this;
  }

  /** `text` in place of original[pos, to); neither may contain a newline. */
  replace(to: number, text: string): this {
    this.check(to);
    const chunk = this.original.slice(this.pos, to);
    if (chunk.includes("\n") || text.includes("\n")) throw new Error("MaskBuilder.replace: a replacement must stay on one line");
    if (chunk === text) return this.copy(to);
    let segs = this.segments.get(this.line);
    if (!segs) this.segments.set(this.line, (segs = []));
    segs.push({ vStart: this.vCol, vLen: text.length, oStart: this.oCol, oLen: chunk.length });
    this.out.push(text);
    this.pos = to;
    this.oCol += chunk.length;
    this.vCol += text.length;
    return this;
  }

  /** Masks the rest of the original and returns the result. */
  finish(): Masked {
    this.mask(this.original.length);
    return { text: this.out.join(""), map: this.segments.size ? new PositionMap(this.segments) : null };
  }

  private check(to: number): void {
    if (to < this.pos || to > this.original.length) throw new Error(`MaskBuilder: offset ${to} is behind ${this.pos} or past the end`);
  }

  private advance(chunk: string): void {
    this.pos += chunk.length;
    const nl = chunk.lastIndexOf("\n");
    if (nl < 0) {
      this.oCol += chunk.length;
      this.vCol += chunk.length;
      return;
    }
    for (let i = 0; i < chunk.length; i++) if (chunk.charCodeAt(i) === 10) this.line++;
    this.oCol = this.vCol = chunk.length - nl - 1;
  }
}

/** Offsets at which each line of `text` starts. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/** A placeholder for a value that is not known (an unknown RPM macro or systemd specifier): an unset variable. */
export const UNKNOWN_VALUE = "${_}";

/** Quotes a value for the shell with single quotes. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
