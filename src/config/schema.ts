/**
 * The configuration file's JSON Schema (validated with ajv). Unknown keys
 * are errors everywhere (`additionalProperties: false`), so a typo never
 * silently turns a setting off.
 */
import type { Rule } from "../engine/rule.js";

export const RULE_SETTINGS = ["off", "error", "warning", "note"] as const;
export type RuleSetting = (typeof RULE_SETTINGS)[number];

export const LEVELS = ["error", "warning", "note"] as const;

/** What each top-level key means (for messages and the README). */
export const TOP_LEVEL_KEYS = {
  $schema: "an editor hint, ignored",
  rules: "a map of rule id or name to off, error, warning or note",
  include: "a list of globs of paths (relative to the scanned root) to scan; default: everything",
  exclude: "a list of globs of paths (relative to the scanned root) not to scan; wins over include",
  writable: "a list of absolute paths the product makes writable at runtime (a tmpfs, a bind mount)",
  failOn: "the lowest level that fails the run: error, warning or note",
  maxWarnings: "the number of warnings above which the run fails",
} as const;

export function configSchema(rules: readonly Rule[]): object {
  const globs = { type: "array", items: { type: "string", minLength: 1 } };
  return {
    type: "object",
    additionalProperties: false,
    properties: {
      $schema: { type: "string" },
      rules: {
        type: "object",
        propertyNames: { enum: [...rules.map((r) => r.id), ...rules.map((r) => r.name)] },
        additionalProperties: { enum: [...RULE_SETTINGS] },
      },
      include: globs,
      exclude: globs,
      writable: { type: "array", items: { type: "string", pattern: "^/" } },
      failOn: { enum: [...LEVELS] },
      maxWarnings: { type: "integer", minimum: 0 },
    },
  };
}
