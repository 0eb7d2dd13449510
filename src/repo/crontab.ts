/**
 * Embedded shell of scheduler and log rotation configuration:
 *
 * - system crontab lines (`/etc/cron.d/*`): `MIN HOUR DOM MON DOW USER
 *   COMMAND`, or `@daily USER COMMAND`; the command is run by /bin/sh.
 *   Each line is its own script (lines are separate runs), with the
 *   file's `NAME=value` lines before it. `@reboot` runs at boot; the rest
 *   is periodic. An unescaped `%` ends the command (the rest is its input).
 * - logrotate `prerotate`/`postrotate`/`firstaction`/`lastaction` ...
 *   blocks, up to `endscript`: run by /bin/sh when logs rotate (periodic).
 */
import type { Role } from "../types.js";
import { MaskBuilder, type Masked } from "./text.js";

export interface EmbeddedLine {
  line: number;
  masked: Masked;
  role: Role;
  kind: string;
}

export function crontabCommands(text: string): EmbeddedLine[] {
  const lines = text.split("\n");
  const offsets: number[] = [];
  let off = 0;
  for (const l of lines) {
    offsets.push(off);
    off += l.length + 1;
  }
  const assignments: number[] = [];
  const commands: { index: number; start: number; end: number; role: Role; when: string }[] = [];
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    if (/^\s*(#|$)/.test(line)) return;
    if (/^\s*[A-Za-z_][A-Za-z0-9_]*=\S*\s*$/.test(line)) {
      assignments.push(i);
      return;
    }
    const m = /^(\s*(@(reboot|yearly|annually|monthly|weekly|daily|midnight|hourly)|\S+\s+\S+\s+\S+\s+\S+\s+\S+)\s+\S+\s+)(\S.*)$/.exec(line);
    if (!m) return;
    let cmd = m[4]!;
    const pct = /(^|[^\\])%/.exec(cmd);
    if (pct) cmd = cmd.slice(0, pct.index + pct[1]!.length);
    const start = offsets[i]! + m[1]!.length;
    commands.push({ index: i, start, end: start + cmd.length, role: m[3] === "reboot" ? "boot" : "periodic", when: (m[2] ?? "").trim() });
  });
  return commands.map((c) => {
    const b = new MaskBuilder(text);
    for (const a of assignments) {
      if (a > c.index) break;
      b.mask(offsets[a]!).copy(offsets[a]! + lines[a]!.replace(/\r$/, "").length);
    }
    b.mask(c.start).copy(c.end);
    return { line: c.index + 1, masked: b.finish(), role: c.role, kind: `cron job (${c.when})` };
  });
}

export function logrotateScripts(text: string): EmbeddedLine[] {
  const out: EmbeddedLine[] = [];
  const lines = text.split("\n");
  let off = 0;
  let open: { kind: string; line: number; start: number } | null = null;
  lines.forEach((raw, i) => {
    const start = off;
    off += raw.length + 1;
    const word = raw.trim().split(/\s+/)[0] ?? "";
    if (!open) {
      if (/^(prerotate|postrotate|firstaction|lastaction|preremove)$/.test(word)) open = { kind: word, line: i + 2, start: Math.min(off, text.length) };
      return;
    }
    if (word === "endscript") {
      const b = new MaskBuilder(text);
      b.mask(open.start).copy(start);
      out.push({ line: open.line, masked: b.finish(), role: "periodic", kind: `logrotate ${open.kind}` });
      open = null;
    }
  });
  return out;
}
