/**
 * Whether output gets ANSI colours, and the colour functions to use.
 *
 * In order: `--color` / `--no-color`; `NO_COLOR` (any non-empty value: no
 * colours, https://no-color.org); `FORCE_COLOR` (any non-empty value but
 * "0" or "false": colours, as Node reads it); otherwise colours only when the
 * destination is a terminal and TERM is not "dumb". A report written to a
 * file (`--output`) is not a terminal.
 */
import pc from "picocolors";

export type Colors = ReturnType<typeof pc.createColors>;

export function colorEnabled(toTerminal: boolean, flag?: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  if (flag !== undefined) return flag;
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR) return !/^(0|false)$/i.test(env.FORCE_COLOR);
  return toTerminal && env.TERM !== "dumb";
}

export function colors(enabled: boolean): Colors {
  return pc.createColors(enabled);
}
