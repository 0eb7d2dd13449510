/**
 * `partialFingerprints.primaryLocationLineHash`, computed the way GitHub's
 * upload action computes it when a SARIF file arrives without one, so that
 * alerts keep their identity across runs even when unrelated lines move.
 *
 * Each line's hash is a polynomial rolling hash (base 37, modulo 2^64) over
 * the window of the next 100 characters that start at the line's first
 * character, skipping spaces and tabs: the line's own text, then the text of
 * the lines after it. Line endings (\n, \r, \r\n) all count as one \n, and
 * the end of the text is one 0xFFFF character followed by NULs. A hash is
 * written as lowercase hex, then ":" and how many lines of the file so far
 * had the same hash (1 for the first), so identical lines stay distinct.
 */

const BLOCK_SIZE = 100;
const BASE = 37n;
const MASK = (1n << 64n) - 1n;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const EOF = 0xffff;

/** BASE^BLOCK_SIZE mod 2^64: the weight of the character that leaves the window. */
const OUTGOING = (() => {
  let m = 1n;
  for (let i = 0; i < BLOCK_SIZE; i++) m = (m * BASE) & MASK;
  return m;
})();

/**
 * The hash of every line of `text` (1-based line number -> "hex:count").
 * With `wanted`, only those lines are returned, and hashing stops after the
 * last of them (the count of a line only depends on the lines before it).
 * `text` is UTF-16, as a JavaScript string; a file must be decoded as UTF-8
 * first, as the upload action does.
 */
export function lineHashes(text: string, wanted?: ReadonlySet<number>): Map<number, string> {
  const out = new Map<number, string>();
  const last = wanted ? Math.max(0, ...wanted) : Infinity;
  if (last < 1) return out;

  const window = new Array<number>(BLOCK_SIZE).fill(0);
  // Line number of the line that starts at each window slot, or -1.
  const lineStarts = new Array<number>(BLOCK_SIZE).fill(-1);
  const counts = new Map<string, number>();
  let hash = 0n;
  let index = 0;
  let lineNumber = 0;
  let lineStart = true;
  let prevCR = false;
  let done = false;

  const emit = (): void => {
    const line = lineStarts[index]!;
    const hex = hash.toString(16);
    const n = (counts.get(hex) ?? 0) + 1;
    counts.set(hex, n);
    if (!wanted || wanted.has(line)) out.set(line, `${hex}:${n}`);
    if (line >= last) done = true;
    lineStarts[index] = -1;
  };

  const push = (c: number): void => {
    const leaving = window[index]!;
    window[index] = c;
    hash = (BASE * hash + BigInt(c) - OUTGOING * BigInt(leaving)) & MASK;
    index = (index + 1) % BLOCK_SIZE;
  };

  const take = (code: number): void => {
    let c = code;
    if (c === SPACE || c === TAB || (prevCR && c === LF)) {
      prevCR = false;
      return;
    }
    if (c === CR) {
      c = LF;
      prevCR = true;
    } else {
      prevCR = false;
    }
    if (lineStarts[index] !== -1) emit();
    if (lineStart) {
      lineStart = false;
      lineNumber++;
      lineStarts[index] = lineNumber;
    }
    if (c === LF) lineStart = true;
    push(c);
  };

  for (let i = 0; i < text.length && !done; i++) take(text.charCodeAt(i));
  if (!done) take(EOF);
  for (let i = 0; i < BLOCK_SIZE && !done; i++) {
    if (lineStarts[index] !== -1) emit();
    push(0);
  }
  return out;
}

/** The hash of one line of `text` (1-based), e.g. "a7f2ff13bc495cf2:1". */
export function lineHash(text: string, line: number): string {
  // A line past the end (e.g. a finding on line 1 of an empty file) takes the hash of the last line.
  const hashes = lineHashes(text, new Set([line]));
  return hashes.get(line) ?? lineHashes(text).get(lineCount(text))!;
}

/** Lines as the hash counts them: a final line break starts one more (empty) line. */
function lineCount(text: string): number {
  return text.split(/\r\n|\r|\n/).length;
}
