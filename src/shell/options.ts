/**
 * getopt-style parsing of a command's words, for the commands whose options
 * the rules care about. Words whose value is unknown are operands.
 */
import type { Word } from "./model.js";

export interface OptionSpec {
  /** Short options that take a value: "o" for `-o VALUE` / `-oVALUE`. */
  short?: string;
  /** Long options that take a value: "options" for `--options VALUE` / `--options=VALUE`. */
  long?: string[];
  /** Stop at the first operand (like `POSIXLY_CORRECT`), e.g. for `sh -c`. */
  stopAtOperand?: boolean;
}

export interface Option {
  name: string;
  value: Word | null;
  /** The value as a string when known (a literal inside the option word counts). */
  text: string | null;
  /** The known beginning of the value (equal to `text` when that is known). */
  prefix: string;
  word: Word;
}

export interface ParsedArgs {
  options: Option[];
  operands: Word[];
}

export function parseArgs(args: Word[], spec: OptionSpec = {}): ParsedArgs {
  const valuedShort = new Set(spec.short ?? "");
  const valuedLong = new Set(spec.long ?? []);
  const options: Option[] = [];
  const operands: Word[] = [];
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    const known = w.value !== null;
    // An option word may be only partly known: "-oremount,$mode".
    const v = w.value ?? w.prefix;
    if (v === "-" || !v.startsWith("-") || (!known && v.length < 2) || (operands.length > 0 && spec.stopAtOperand)) {
      operands.push(w);
      continue;
    }
    const opt = (name: string, value: Word | null, text: string | null, prefix = text ?? ""): Option => ({ name, value, text, prefix, word: w });
    if (v === "--") {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (v.startsWith("--")) {
      const eq = v.indexOf("=");
      const name = eq >= 0 ? v.slice(2, eq) : v.slice(2);
      if (eq >= 0) options.push(opt(name, w, known ? v.slice(eq + 1) : null, v.slice(eq + 1)));
      else if (valuedLong.has(name)) {
        const next = args[++i] ?? null;
        options.push(opt(name, next, next?.value ?? null, next?.prefix ?? ""));
      } else options.push(opt(name, null, null));
      continue;
    }
    // A cluster of short options: "-nv", "-orw,remount", "-o" "VALUE".
    for (let k = 1; k < v.length; k++) {
      const name = v[k]!;
      if (valuedShort.has(name)) {
        const rest = v.slice(k + 1);
        if (rest || !known) options.push(opt(name, w, known ? rest : null, rest));
        else {
          const next = args[++i] ?? null;
          options.push(opt(name, next, next?.value ?? null, next?.prefix ?? ""));
        }
        break;
      }
      options.push(opt(name, null, null));
    }
  }
  return { options, operands };
}

export function has(p: ParsedArgs, ...names: string[]): boolean {
  return p.options.some((o) => names.includes(o.name));
}

export function values(p: ParsedArgs, ...names: string[]): Option[] {
  return p.options.filter((o) => names.includes(o.name));
}
