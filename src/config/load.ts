/**
 * Configuration files: where they are, how they are read and validated.
 *
 * `.rorlint.yaml`, `.rorlint.yml` or `rorlint.config.json` is looked for in
 * the scanned directory (or the directory of a scanned file), then in each
 * parent, stopping after a directory that holds `.git` or at the filesystem
 * root. `--config FILE` names one; `--no-config` uses none.
 *
 * The file is validated against the schema in schema.ts with ajv. Every
 * problem is reported as `FILE:LINE:COL: KEY.PATH: what was expected` (with
 * the closest valid key or value for a typo), and the run exits 2.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { createRequire } from "node:module";
import type { Ajv, ErrorObject } from "ajv";
import type { LineCounter, Node } from "yaml";
import type { Level } from "../types.js";
import type { Rule } from "../engine/rule.js";
import { UsageError } from "../commands/exit.js";
import { RULES } from "../../rules/index.js";
import { configSchema, LEVELS, RULE_SETTINGS, TOP_LEVEL_KEYS, type RuleSetting } from "./schema.js";
import { closest } from "./suggest.js";

/** Names looked for in each directory, in this order. */
export const CONFIG_NAMES = [".rorlint.yaml", ".rorlint.yml", "rorlint.config.json"] as const;

/** A configuration, normalized: rule names resolved to ids. */
export interface Config {
  /** The file it was read from; null for the defaults. */
  file: string | null;
  /** Per rule id: off, or the level its findings get. */
  rules: Record<string, RuleSetting>;
  include: string[];
  exclude: string[];
  writable: string[];
  failOn?: Level;
  maxWarnings?: number;
}

export const DEFAULT_CONFIG: Config = { file: null, rules: {}, include: [], exclude: [], writable: [] };

/** A configuration file that cannot be used: exit 2. */
export class ConfigError extends UsageError {}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The configuration file that applies to a scanned path, or null. */
export function findConfigFile(scanned: string): string | null {
  const abs = resolve(scanned);
  let dir = isDir(abs) ? abs : dirname(abs);
  for (;;) {
    const here = CONFIG_NAMES.map((n) => join(dir, n)).filter(isFile);
    if (here.length > 1) throw new ConfigError(`${dir}: more than one configuration file (${here.map((p) => p.slice(dir.length + 1)).join(", ")}); keep one`);
    if (here.length === 1) return here[0]!;
    if (existsSync(join(dir, ".git"))) return null;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** "/rules/ROR101" -> "rules.ROR101", "/include/0" -> "include[0]". */
function keyPath(segments: readonly string[]): string {
  let out = "";
  for (const s of segments) out += /^\d+$/.test(s) ? `[${s}]` : out === "" ? s : `.${s}`;
  return out || "(top level)";
}

function segmentsOf(instancePath: string): string[] {
  return instancePath
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** ajv and yaml, loaded only when there is a configuration file to read (most scans have none). */
const lazy = createRequire(import.meta.url);
const yaml = () => lazy("yaml") as typeof import("yaml");

/** Where a key (its name when `key` is true, else its value) is in the YAML/JSON text. */
function positionOf(root: Node | null, segments: readonly string[], key: boolean, lines: LineCounter): string {
  const { isMap, isScalar, isSeq } = yaml();
  let node: Node | null = root;
  let offset = root?.range?.[0] ?? 0;
  for (const [i, seg] of segments.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === seg);
      if (!pair) break;
      const last = i === segments.length - 1;
      const keyNode = pair.key as Node;
      offset = (last && key ? keyNode.range?.[0] : (pair.value as Node | null)?.range?.[0] ?? keyNode.range?.[0]) ?? offset;
      node = pair.value as Node | null;
    } else if (isSeq(node)) {
      const item = node.items[Number(seg)] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  const { line, col } = lines.linePos(offset);
  return `${Math.max(1, line)}:${col}`;
}

const quote = (v: unknown) => JSON.stringify(v);

/** `; did you mean "x"?` for a likely typo, else a full stop. */
const didYouMean = (hint: string | undefined) => (hint ? `; did you mean "${hint}"?` : ".");

/** One ajv error as "KEY.PATH: problem; expected ...", and whether it is about the key itself. */
function describe(e: ErrorObject, rules: readonly Rule[]): { segments: string[]; key: boolean; text: string } | null {
  const segments = segmentsOf(e.instancePath);
  const value = (data: unknown) => (data === undefined ? "" : ` (got ${quote(data)})`);
  switch (e.keyword) {
    case "additionalProperties": {
      const name = String((e.params as { additionalProperty: string }).additionalProperty);
      const allowed = segments.length === 0 ? Object.keys(TOP_LEVEL_KEYS).filter((k) => k !== "$schema") : [];
      const hint = closest(name, allowed);
      return {
        segments: [...segments, name],
        key: true,
        text: `unknown key${didYouMean(hint)} Expected one of: ${allowed.join(", ")}`,
      };
    }
    case "propertyNames":
      return null; // reported by the enum error on the name (below)
    case "enum": {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
      if (e.propertyName !== undefined) {
        // A key of `rules` that is no rule id or name.
        const ids = rules.map((r) => r.id);
        const hint = closest(e.propertyName, [...ids, ...rules.map((r) => r.name)]);
        return {
          segments: [...segments, e.propertyName],
          key: true,
          text: `no rule has this id or name${didYouMean(hint)} Expected a rule id or name ("rorlint rules" lists them)`,
        };
      }
      const hint = typeof e.data === "string" ? closest(e.data, allowed) : undefined;
      return { segments, key: false, text: `${quote(e.data)} is not allowed${didYouMean(hint)} Expected one of: ${allowed.join(", ")}` };
    }
    case "type":
      return { segments, key: false, text: `expected ${describeType(segments, (e.params as { type: string }).type)}${value(e.data)}` };
    case "pattern":
      return { segments, key: false, text: `expected an absolute path starting with "/"${value(e.data)}` };
    case "minimum":
      return { segments, key: false, text: `expected a number of 0 or more${value(e.data)}` };
    case "minLength":
      return { segments, key: false, text: `expected a non-empty glob` };
    default:
      return { segments, key: false, text: `${e.message ?? "invalid"}${value(e.data)}` };
  }
}

function describeType(segments: readonly string[], type: string): string {
  const top = segments[0];
  if (segments.length === 1 && top && top in TOP_LEVEL_KEYS) return TOP_LEVEL_KEYS[top as keyof typeof TOP_LEVEL_KEYS];
  if (segments.length === 0) return "a mapping of settings (rules, include, exclude, writable, failOn, maxWarnings)";
  return type === "string" ? "a string" : `a value of type ${type}`;
}

let validator: ReturnType<Ajv["compile"]> | undefined;

function validate(data: unknown): ErrorObject[] {
  const { Ajv: AjvClass } = lazy("ajv") as typeof import("ajv");
  validator ??= new AjvClass({ allErrors: true, verbose: true, strict: true }).compile(configSchema(RULES));
  return validator(data) ? [] : [...(validator.errors ?? [])];
}

/** Reads and validates a configuration file; throws ConfigError with every problem. */
export function loadConfig(file: string): Config {
  const abs = resolve(file);
  let text: string;
  try {
    text = readFileSync(abs, "utf8");
  } catch (err) {
    throw new ConfigError(`${file}: cannot read the configuration: ${(err as Error).message}`);
  }
  if (abs.endsWith(".json")) {
    try {
      JSON.parse(text);
    } catch (err) {
      throw new ConfigError(`${abs}: invalid JSON: ${(err as Error).message}`);
    }
  }
  const { LineCounter: Lines, parseDocument } = yaml();
  const lines = new Lines();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => `${abs}:${e.linePos?.[0].line ?? 1}:${e.linePos?.[0].col ?? 1}: invalid ${abs.endsWith(".json") ? "JSON" : "YAML"}: ${e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")}`).join("\n"));
  }
  const data: unknown = doc.toJS() ?? {};
  const problems = validate(data)
    .map((e) => describe(e, RULES))
    .filter((p): p is NonNullable<typeof p> => p !== null)
    .map((p) => `${abs}:${positionOf(doc.contents as Node | null, p.segments, p.key, lines)}: ${keyPath(p.segments)}: ${p.text}`);
  if (problems.length > 0) throw new ConfigError([...new Set(problems)].join("\n"));

  const raw = data as { rules?: Record<string, RuleSetting>; include?: string[]; exclude?: string[]; writable?: string[]; failOn?: Level; maxWarnings?: number };
  const rules: Record<string, RuleSetting> = {};
  for (const [k, v] of Object.entries(raw.rules ?? {})) {
    const rule = RULES.find((r) => r.id === k || r.name === k)!;
    rules[rule.id] = v;
  }
  return {
    file: abs,
    rules,
    include: raw.include ?? [],
    exclude: raw.exclude ?? [],
    writable: raw.writable ?? [],
    ...(raw.failOn ? { failOn: raw.failOn } : {}),
    ...(raw.maxWarnings !== undefined ? { maxWarnings: raw.maxWarnings } : {}),
  };
}

export interface ConfigChoice {
  /** `--config FILE` */
  config?: string;
  /** `--no-config` */
  useConfig?: boolean;
}

/** The configuration for a scanned path: `--config`, else the one found upward, else the defaults. */
export function configFor(scanned: string, choice: ConfigChoice = {}): Config {
  if (choice.useConfig === false) return DEFAULT_CONFIG;
  if (choice.config) return loadConfig(choice.config);
  const found = findConfigFile(scanned);
  return found ? loadConfig(found) : DEFAULT_CONFIG;
}

export { LEVELS, RULE_SETTINGS };
