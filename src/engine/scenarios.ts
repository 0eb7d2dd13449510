/**
 * Scenarios in which rules evaluate the guards of a command, and helpers
 * that rules share for reading effect paths.
 */
import type { Command, Condition, Word } from "../shell/model.js";
import { classify, mayRun, type Scenario } from "../shell/guards.js";
import type { ShellFacts } from "./rule.js";
import { effectsOf } from "../shell/effects.js";
import { dirname } from "../fs/view.js";

const ROOT_MODE_VAR = /^(rootmode|ROOTMODE|root_mode|ROOT_MODE|RW_ROOT|roflag)$/;

/** The root filesystem is mounted read-only: `-w /etc` is false, `$rootmode` is "ro", writes to it fail. */
export function readOnlyRoot(facts: Pick<ShellFacts, "isWritable">): Scenario {
  return {
    word: (w) => (w.value === null && w.vars.length === 1 && ROOT_MODE_VAR.test(w.vars[0]!) && /^"?\$\{?\w+\}?"?$/.test(w.text) ? "ro" : w.value),
    unary: (op, path) => (op === "-w" ? facts.isWritable(path) : null),
    command: (c: Command) => {
      // A probe such as `touch /etc/.rw-test` fails on a read-only root.
      const writes = effectsOf(c).filter((e) => e.kind === "write" || e.kind === "mkdir");
      if (writes.length === 0) return null;
      return writes.every((e) => {
        const p = knownPath(e.path);
        return p === null ? true : facts.isWritable(p);
      })
        ? null
        : false;
    },
  };
}

/**
 * A probe: a command that tries a write only to learn whether the root is
 * writable (`if touch /etc/.rw-test 2>/dev/null; then`). Its failure is expected.
 */
export function isWriteProbe(c: Command): boolean {
  return c.tested && (c.name === null || c.name === "touch" || c.name === ":" || c.name === "true");
}

/** True when a command under these conditions cannot run while the root is read-only. */
export function onlyWhenRootWritable(conditions: readonly Condition[], facts: Pick<ShellFacts, "isWritable">): boolean {
  return !mayRun(conditions, readOnlyRoot(facts), (c) => classify(c) === "root-mode" || c.test.kind === "command");
}

/** A branch that a user configuration variable (/etc/default, rc.conf ...) decides. */
export function decidedByUserConfiguration(conditions: readonly Condition[]): boolean {
  return conditions.some((c) => classify(c) === "user-config");
}

/** Decided by configuration: user configuration, fstab, the kernel command line or the current root mode. */
export function decidedByConfiguration(conditions: readonly Condition[]): boolean {
  return conditions.some((c) => {
    const k = classify(c);
    return k === "user-config" || k === "root-mode";
  });
}

/** The absolute path a word names when fully known. */
export function knownPath(w: Word): string | null {
  return w.value !== null && w.value.startsWith("/") ? w.value : null;
}

/**
 * The path a word names, or the directory its known prefix ends in
 * ("/etc/$NAME.conf" -> "/etc"), for "where does this write land" questions.
 */
export function pathOrDir(w: Word): string | null {
  if (w.value !== null) return w.value.startsWith("/") ? w.value : null;
  if (!w.prefix.startsWith("/")) return null;
  return w.prefix.endsWith("/") ? w.prefix.replace(/\/+$/, "") || "/" : dirname(w.prefix);
}

/** The directory a write lands in: the parent of a known path, else the directory of the known prefix. */
export function parentDir(w: Word): string | null {
  if (w.value !== null) return w.value.startsWith("/") ? dirname(w.value) : null;
  return pathOrDir(w);
}
