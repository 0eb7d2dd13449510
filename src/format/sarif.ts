/**
 * SARIF 2.1.0 output for GitHub code scanning, built with node-sarif-builder.
 *
 * - One run per invocation, whatever the number of scanned paths: GitHub
 *   rejects an upload with two runs of the same tool and category. The run's
 *   `automationDetails.id` is the category followed by "/" (GitHub reads the
 *   part before the last "/" as the category, as its upload action writes it).
 *   The category is `rorlint/<slug of the scanned path's name>` unless
 *   `--category` gives one; with several paths the slugs are joined by "+".
 * - Every rule rorlint has is listed (not only those with results), with its
 *   docs.md as help.
 * - A result has exactly one location, relative to `%SRCROOT%`: the scanned
 *   root for one directory; with several paths, each URI starts with its
 *   path as given relative to the current directory, so that they stay
 *   distinct in one run; a scanned file is named as given, relative to the
 *   current directory.
 * - `partialFingerprints.primaryLocationLineHash` is computed from the file's
 *   text the way GitHub's upload action does (see fingerprint.ts).
 */
import { readFileSync } from "node:fs";
import { basename, isAbsolute, join, relative as hostRelative, resolve as hostResolve, sep } from "node:path";
import { createRequire } from "node:module";
import type { SarifBuilder, SarifResultBuilder, SarifRuleBuilder } from "node-sarif-builder";

/** node-sarif-builder, loaded when SARIF is asked for rather than by every scan. */
let sarifLib: typeof import("node-sarif-builder") | undefined;
const lib = () => (sarifLib ??= createRequire(import.meta.url)("node-sarif-builder") as typeof import("node-sarif-builder"));
import type { Location as SarifLocation, Notification, Region, ReportingDescriptor, Result } from "sarif";
import type { ScanResult } from "../scan.js";
import type { Finding, Span } from "../types.js";
import type { Rule } from "../engine/rule.js";
import { RULES } from "../../rules/index.js";
import { packageRoot, VERSION } from "../version.js";
import { lineHash, lineHashes } from "./fingerprint.js";
import type { FormatOptions } from "./index.js";

/** The final OASIS schema (GitHub's validator, GH1011, wants this one). */
export const SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
export const SRCROOT = "%SRCROOT%";

/** GitHub's limits (docs: "SARIF support for code scanning"). */
export const LIMITS = {
  descriptionChars: 1024,
  ruleNameChars: 255,
  tagsPerRule: 10,
  resultsPerRun: 25_000,
  relatedLocationsPerResult: 1_000,
} as const;

interface PackageMeta {
  homepage?: string;
  repository?: string | { url?: string };
}

let metaCache: { informationUri: string; repositoryWeb: string } | undefined;

/** informationUri (package.json `homepage`) and the repository's web address (for rule help links). */
function projectLinks(): { informationUri: string; repositoryWeb: string } {
  if (metaCache) return metaCache;
  const pkg = JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as PackageMeta;
  const repo = typeof pkg.repository === "string" ? pkg.repository : pkg.repository?.url;
  const repositoryWeb = (repo ?? pkg.homepage ?? "https://github.com/rorlint/rorlint")
    .replace(/^git\+/, "")
    .replace(/^git:\/\//, "https://")
    .replace(/\.git$/, "")
    .replace(/#.*$/, "");
  metaCache = { informationUri: pkg.homepage ?? repositoryWeb, repositoryWeb };
  return metaCache;
}

/** Cuts text to at most `max` UTF-16 code units, on a character boundary, marking the cut. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const c = text.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--; // do not split a surrogate pair
  return text.slice(0, end) + "…";
}

/** "Debian 12 rootfs" -> "debian-12-rootfs": the category part for one scanned path. */
export function slug(target: string): string {
  const name = basename(hostResolve(target));
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[-.]+|-+$/g, "");
  return s || "root";
}

export function defaultCategory(results: readonly ScanResult[]): string {
  return `rorlint/${results.map((r) => slug(r.target)).join("+")}`;
}

/** The path of `target` relative to the current directory, in URI form, or null when outside it. */
function cwdRelative(target: string): string | null {
  const rel = hostRelative(process.cwd(), hostResolve(target));
  if (rel === "") return "";
  if (rel === ".." || rel.startsWith(".." + sep) || isAbsolute(rel)) return null;
  return rel.split(sep).join("/");
}

function encodePath(path: string): string {
  return path
    .split("/")
    .filter((s) => s !== "")
    .map((s) => encodeURIComponent(s))
    .join("/");
}

/** How a finding's path (relative to its scanned root) becomes a URI relative to %SRCROOT%. */
function uriMapper(result: ScanResult, several: boolean): (path: string) => string {
  const rel = cwdRelative(result.target);
  if (result.kind === "file") {
    // One file: name it as the user did (the view's path is only where it would sit in a root).
    return (path) => encodePath(rel || path);
  }
  const prefix = several ? (rel ?? slug(result.target)) : "";
  return (path) => encodePath(prefix ? `${prefix}/${path}` : path);
}

function lineText(lines: string[] | undefined, line: number): string | undefined {
  const l = lines?.[line - 1];
  return l === undefined ? undefined : l.replace(/\r$/, "");
}

/**
 * The SARIF region of a span. A span that is empty on one line (a root
 * filesystem finding that names a file, not a place in it) is widened to its
 * whole line; when that line is empty or the file's text is unknown, the
 * region gives the line only, without columns.
 */
export function regionOf(span: Span, lines: string[] | undefined): Region {
  const startLine = Math.max(1, span.line);
  const endLine = Math.max(startLine, span.endLine);
  const startColumn = Math.max(1, span.column);
  const endColumn = span.endColumn;
  if (endLine > startLine || endColumn > startColumn) return { startLine, startColumn, endLine, endColumn };
  const text = lineText(lines, startLine);
  if (text !== undefined && text.length > 0) return { startLine, startColumn: 1, endLine: startLine, endColumn: text.length + 1 };
  return { startLine };
}

function ruleDocs(rule: Rule): string | undefined {
  try {
    return readFileSync(join(packageRoot(), "rules", `${rule.id}-${rule.name}`, "docs.md"), "utf8");
  } catch {
    return undefined;
  }
}

function ruleBuilder(rule: Rule): SarifRuleBuilder {
  const { repositoryWeb } = projectLinks();
  const builder = new (lib().SarifRuleBuilder)().initSimple({
    ruleId: rule.id,
    shortDescriptionText: clip(rule.summary, LIMITS.descriptionChars),
    fullDescriptionText: clip(rule.description, LIMITS.descriptionChars),
    helpUri: `${repositoryWeb}/blob/main/rules/${rule.id}-${rule.name}/docs.md`,
  });
  const docs = ruleDocs(rule) ?? `# ${rule.id} ${rule.name}\n\n${rule.description}\n`;
  // The builder has no setters for these: set them on the built object.
  Object.assign(builder.rule, {
    name: clip(rule.name, LIMITS.ruleNameChars),
    help: { text: docs, markdown: docs },
    defaultConfiguration: { level: rule.level },
    properties: { tags: [...new Set(rule.tags)].slice(0, LIMITS.tagsPerRule), precision: rule.precision },
  } satisfies Partial<ReportingDescriptor>);
  return builder;
}

function location(uri: string, region: Region): SarifLocation {
  return { physicalLocation: { artifactLocation: { uri, uriBaseId: SRCROOT }, region } };
}

/** Splits the text of every file with a finding into lines once, and hashes the lines findings need. */
class Sources {
  private readonly lines = new Map<string, string[] | undefined>();
  private readonly hashes = new Map<string, Map<number, string>>();

  constructor(
    private readonly result: ScanResult,
    findings: readonly Finding[],
  ) {
    // One pass per file, for all the lines its findings need.
    const wanted = new Map<string, Set<number>>();
    for (const f of findings) (wanted.get(f.path) ?? wanted.set(f.path, new Set()).get(f.path)!).add(Math.max(1, f.line));
    for (const [path, lines] of wanted) this.hashes.set(path, lineHashes(result.sources.get(path) ?? "", lines));
  }

  linesOf(path: string): string[] | undefined {
    if (!this.lines.has(path)) this.lines.set(path, this.result.sources.get(path)?.split("\n"));
    return this.lines.get(path);
  }

  /**
   * The line hash of a finding. A file whose text the scan did not keep
   * (binary, missing, a directory) hashes as an empty file, as the first
   * line of an empty file would: stable, and distinct by path and rule.
   */
  hash(path: string, line: number): string {
    return this.hashes.get(path)?.get(line) ?? lineHash(this.result.sources.get(path) ?? "", line);
  }
}

function resultBuilder(f: Finding, toUri: (p: string) => string, sources: Sources): SarifResultBuilder {
  const region = regionOf(f, sources.linesOf(f.path));
  // No fileUri/startLine here: the builder would write a region without the base id, and endColumn 1 when it is missing.
  const builder = new (lib().SarifResultBuilder)().initSimple({ level: f.level, messageText: f.message, ruleId: f.ruleId });
  const result: Result = builder.result;
  result.locations = [location(toUri(f.path), region)];
  result.partialFingerprints = { primaryLocationLineHash: sources.hash(f.path, region.startLine!) };
  const related = f.related?.slice(0, LIMITS.relatedLocationsPerResult);
  if (related && related.length > 0) {
    result.relatedLocations = related.map((r, i) => ({
      id: i + 1,
      ...location(toUri(r.path), regionOf(r, sources.linesOf(r.path))),
      message: { text: r.message },
    }));
  }
  if (f.role) result.properties = { role: f.role };
  return builder;
}

function notificationOf(d: ScanResult["diagnostics"][number], toUri: (p: string) => string): Notification {
  return {
    level: d.code === "source-missing" ? "note" : "warning",
    message: { text: `${d.path}: ${d.message}.`.replace(/\.\.$/, ".") },
    descriptor: { id: d.code },
    ...(d.path ? { locations: [{ physicalLocation: { artifactLocation: { uri: toUri(d.path), uriBaseId: SRCROOT } } }] } : {}),
  };
}

/** The SARIF log object (exported for tests and the upload checks). */
export function buildSarif(results: readonly ScanResult[], options: FormatOptions = {}): ReturnType<SarifBuilder["buildSarifOutput"]> {
  const { informationUri } = projectLinks();
  const { SarifBuilder: Builder, SarifRunBuilder } = lib();
  const sarif = new Builder({ $schema: SARIF_SCHEMA, version: "2.1.0" });
  const run = new SarifRunBuilder().initSimple({ toolDriverName: "rorlint", toolDriverVersion: VERSION, url: informationUri });
  for (const rule of RULES) run.addRule(ruleBuilder(rule));

  const several = results.length > 1;
  const notifications: Notification[] = [];
  for (const r of results) {
    const toUri = uriMapper(r, several);
    const sources = new Sources(r, r.findings);
    for (const f of r.findings) run.addResult(resultBuilder(f, toUri, sources));
    for (const d of r.diagnostics) notifications.push(notificationOf(d, toUri));
  }

  const category = options.category?.trim() || defaultCategory(results);
  const driver = run.run.tool.driver;
  driver.semanticVersion = VERSION;
  run.run.automationDetails = { id: category.endsWith("/") ? category : `${category}/` };
  run.run.columnKind = "utf16CodeUnits";
  run.run.invocations = [{ executionSuccessful: true, ...(notifications.length ? { toolExecutionNotifications: notifications } : {}) }];
  sarif.addRun(run);
  const log = sarif.buildSarifOutput();
  // Artifacts are optional and the builder's guesses ("unknown" language, no base) add nothing for GitHub.
  for (const r of log.runs) {
    delete r.artifacts;
    for (const res of r.results ?? []) for (const l of res.locations ?? []) delete l.physicalLocation?.artifactLocation?.index;
  }
  return log;
}

export function formatSarif(results: ScanResult[], options: FormatOptions = {}): string {
  return JSON.stringify(buildSarif(results, options), null, 2) + "\n";
}
