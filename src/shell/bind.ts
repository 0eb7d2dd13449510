/**
 * Binding positional parameters at a call: a function's words that depend
 * only on `$1`, `$2`... (their `template`) get the values the call passes.
 * Used by Program when it unfolds calls, so `do_$1` called with "stop" runs
 * do_stop, and `touch "$1"` called with a literal path writes that path.
 */
import type { Command, Word } from "./model.js";
import { commandName } from "./evaluate.js";

/** Values of $1, $2 ... at a call site (null where unknown); null when nothing is known. */
export type Bindings = readonly (string | null)[] | null;

export function bindWord(w: Word, args: Bindings): Word {
  if (!w.template || !args) return w;
  let value = "";
  let prefix = "";
  let known = true;
  for (const t of w.template) {
    const piece = typeof t === "string" ? t : (args[t.param - 1] ?? null);
    if (piece === null) known = false;
    else if (known) value += piece;
    if (known) prefix = value;
  }
  return known ? { ...w, value, prefix: value, template: undefined } : { ...w, prefix: prefix.length > w.prefix.length ? prefix : w.prefix };
}

export function bindCommand(c: Command, args: Bindings): Command {
  if (!args) return c;
  const touched = c.nameWord?.template || c.args.some((a) => a.template) || c.redirects.some((r) => r.target?.template);
  if (!touched) return c;
  const nameWord = c.nameWord ? bindWord(c.nameWord, args) : null;
  return {
    ...c,
    nameWord,
    name: nameWord && nameWord !== c.nameWord ? commandName(nameWord) : c.name,
    args: c.args.map((a) => bindWord(a, args)),
    redirects: c.redirects.map((r) => (r.target ? { ...r, target: bindWord(r.target, args) } : r)),
  };
}

/** What a call passes as $1, $2 ...: its arguments, with "$@" spreading the caller's own. */
export function callArguments(call: Command, callerArgs: Bindings): Bindings {
  const out: (string | null)[] = [];
  for (const a of call.args) {
    if (/^"?\$[@*]"?$/.test(a.text)) {
      if (!callerArgs) return out.length ? [...out, null] : null;
      out.push(...callerArgs);
    } else out.push(a.value);
  }
  return out;
}
