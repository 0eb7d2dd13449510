/** How a configuration changes a scan (options in) and its findings (levels out). */
import picomatch from "picomatch";
import type { Finding } from "../types.js";
import type { ScanOptions, ScanResult } from "../scan.js";
import type { Config } from "./load.js";

/**
 * The path filter of `include` and `exclude`: globs (picomatch, dotfiles
 * matched) on paths relative to the scanned root, without a leading slash.
 * With no `include`, every path is included; `exclude` wins.
 */
export function pathFilter(config: Pick<Config, "include" | "exclude">): ((path: string) => boolean) | undefined {
  if (config.include.length === 0 && config.exclude.length === 0) return undefined;
  const included = config.include.length > 0 ? picomatch(config.include, { dot: true }) : () => true;
  const excluded = config.exclude.length > 0 ? picomatch(config.exclude, { dot: true }) : () => false;
  return (path) => included(path) && !excluded(path);
}

/** The scan options a configuration gives. */
export function scanOptionsOf(config: Config): Pick<ScanOptions, "filter" | "writable"> {
  const filter = pathFilter(config);
  return { ...(filter ? { filter } : {}), ...(config.writable.length ? { writable: config.writable } : {}) };
}

/**
 * `rules:` settings: drops the findings of rules turned off and gives the
 * others their configured level. Rules still run when off, so a more
 * specific rule that is off still owns its command (ROR103 off does not make
 * the same `mv` a ROR105 finding).
 */
export function applyRuleSettings(result: ScanResult, config: Config): void {
  if (Object.keys(config.rules).length === 0) return;
  const kept: Finding[] = [];
  for (const f of result.findings) {
    const setting = config.rules[f.ruleId];
    if (setting === "off") continue;
    if (setting) f.level = setting;
    kept.push(f);
  }
  result.findings = kept;
}
