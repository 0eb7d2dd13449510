/**
 * Finds the Debian mirror to build corpora from.
 *
 * The mirror is never part of the repository: it comes, at run time, from
 * (in order of precedence) the `--mirror` option, the `RORLINT_MIRROR`
 * environment variable, or the machine's own apt sources.
 */
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";

/** One apt source entry, whichever format it was written in. */
export interface AptSource {
  /** `deb` and/or `deb-src`. */
  types: string[];
  uris: string[];
  suites: string[];
  components: string[];
  /** File the entry came from, for messages. */
  file: string;
}

/** Where a resolved mirror came from. */
export type MirrorOrigin = "option" | "environment" | "apt-sources";

export interface ResolvedMirror {
  url: string;
  origin: MirrorOrigin;
  /** The apt source file the URL was taken from (origin "apt-sources" only). */
  file?: string;
}

export interface ResolveMirrorOptions {
  /** Suite to be built, e.g. "trixie"; preferred when choosing among apt sources. */
  suite: string;
  /** Value of `--mirror`, if given. */
  option?: string;
  /** Environment to read `RORLINT_MIRROR` from; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** The `/etc` directory holding `apt/` and `os-release`; a parameter for tests. */
  etcDir?: string;
}

/** No mirror could be found; the message names every place that was looked at. */
export class MirrorNotFoundError extends Error {
  constructor(
    readonly suite: string,
    readonly etcDir: string,
    readonly filesRead: string[],
  ) {
    const read = filesRead.length > 0 ? filesRead.join(", ") : "none of them exist";
    super(
      `no Debian mirror found for suite "${suite}": looked for an enabled "deb" entry with ` +
        `that suite (or the host's release suite) and component "main" in ` +
        `${join(etcDir, "apt", "sources.list")} and ${join(etcDir, "apt", "sources.list.d")}/*.{list,sources} ` +
        `(files read: ${read}). Set RORLINT_MIRROR or pass --mirror URL.`,
    );
    this.name = "MirrorNotFoundError";
  }
}

/** Schemes debootstrap can fetch from. */
const SUPPORTED_SCHEME = /^(https?|file|ftp):\/\//;

/**
 * Parses deb822 sources (`*.sources`): paragraphs separated by blank lines,
 * `Field: value` lines, continuation lines starting with white space, `#`
 * comment lines. Paragraphs with `Enabled: no` are dropped.
 */
export function parseDeb822Sources(text: string, file: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const paragraph of text.split(/\n[ \t]*\n/)) {
    const fields = new Map<string, string>();
    let current: string | undefined;
    for (const line of paragraph.split("\n")) {
      if (line.startsWith("#")) continue;
      if (/^[ \t]/.test(line)) {
        if (current !== undefined) fields.set(current, `${fields.get(current) ?? ""} ${line.trim()}`);
        continue;
      }
      const match = /^([A-Za-z0-9-]+):(.*)$/.exec(line);
      if (!match) continue;
      current = match[1]!.toLowerCase();
      fields.set(current, match[2]!.trim());
    }
    const words = (field: string): string[] => (fields.get(field) ?? "").split(/\s+/).filter(Boolean);
    if (fields.get("enabled")?.toLowerCase() === "no") continue;
    const types = words("types");
    const uris = words("uris");
    if (types.length === 0 || uris.length === 0) continue;
    sources.push({ types, uris, suites: words("suites"), components: words("components"), file });
  }
  return sources;
}

/**
 * Parses one-line sources (`sources.list`, `*.list`):
 * `deb [opt=val ...] URI SUITE [COMPONENT...]`, with `#` comments.
 */
export function parseOneLineSources(text: string, file: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    if (line === "") continue;
    // Drop the bracketed options, which may contain spaces: "[ arch=amd64 ]".
    const tokens = line.replace(/\[[^\]]*\]/, " ").split(/\s+/).filter(Boolean);
    const [type, uri, suite, ...components] = tokens;
    if ((type !== "deb" && type !== "deb-src") || uri === undefined || suite === undefined) continue;
    sources.push({ types: [type], uris: [uri], suites: [suite], components, file });
  }
  return sources;
}

/** Reads a file, or returns undefined when it does not exist. */
async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * Reads every apt source the way apt does: `apt/sources.list`, then
 * `apt/sources.list.d/*.list` and `*.sources` in name order (other names,
 * such as `*.disabled`, are ignored by apt and here).
 */
export async function readAptSources(
  etcDir = "/etc",
): Promise<{ sources: AptSource[]; filesRead: string[] }> {
  const sources: AptSource[] = [];
  const filesRead: string[] = [];
  const main = join(etcDir, "apt", "sources.list");
  const mainText = await readIfExists(main);
  if (mainText !== undefined) {
    filesRead.push(main);
    sources.push(...parseOneLineSources(mainText, main));
  }
  const partsDir = join(etcDir, "apt", "sources.list.d");
  let names: string[] = [];
  try {
    names = (await readdir(partsDir)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  for (const name of names) {
    const isList = name.endsWith(".list");
    if (!isList && !name.endsWith(".sources")) continue;
    const path = join(partsDir, name);
    const text = await readIfExists(path);
    if (text === undefined) continue;
    filesRead.push(path);
    sources.push(...(isList ? parseOneLineSources(text, path) : parseDeb822Sources(text, path)));
  }
  return { sources, filesRead };
}

/**
 * Picks a binary (`deb`) source whose Suites contain one of `suites`, tried
 * in order, and whose components include `main`. Matching whole suite names
 * means `bookworm-security` or `bookworm-updates` never stand in for
 * `bookworm`, and requiring `main` keeps third-party repositories that reuse
 * the release name (`deb URL bookworm stable`) out.
 */
export function pickMirror(
  sources: AptSource[],
  suites: string[],
): { url: string; file: string } | undefined {
  for (const suite of suites) {
    for (const source of sources) {
      if (!source.types.includes("deb")) continue;
      if (!source.suites.includes(suite) || !source.components.includes("main")) continue;
      const uri = source.uris.find((candidate) => SUPPORTED_SCHEME.test(candidate));
      if (uri !== undefined) return { url: uri.replace(/\/+$/, ""), file: source.file };
    }
  }
  return undefined;
}

/** The host's release suite (`VERSION_CODENAME` in os-release), if any. */
async function hostCodename(etcDir: string): Promise<string | undefined> {
  const text = await readIfExists(join(etcDir, "os-release"));
  const match = text === undefined ? null : /^VERSION_CODENAME=["']?([^"'\s]+)/m.exec(text);
  return match?.[1];
}

/**
 * Resolves the mirror for `suite`: `--mirror`, then `RORLINT_MIRROR`, then
 * the apt sources, preferring an entry for `suite` itself and otherwise the
 * host's release suite (the same archive serves every Debian release).
 */
export async function resolveMirror(options: ResolveMirrorOptions): Promise<ResolvedMirror> {
  const option = options.option?.trim();
  if (option) return { url: option, origin: "option" };
  const fromEnv = (options.env ?? process.env).RORLINT_MIRROR?.trim();
  if (fromEnv) return { url: fromEnv, origin: "environment" };

  const etcDir = options.etcDir ?? "/etc";
  const { sources, filesRead } = await readAptSources(etcDir);
  const host = await hostCodename(etcDir);
  const suites = host === undefined || host === options.suite ? [options.suite] : [options.suite, host];
  const picked = pickMirror(sources, suites);
  if (picked === undefined) throw new MirrorNotFoundError(options.suite, etcDir, filesRead);
  return { url: picked.url, origin: "apt-sources", file: picked.file };
}
