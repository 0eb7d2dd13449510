/**
 * Real Debian source packages for the packaging-repository tests: the
 * `debian/` directory of each, fetched with `apt-get source --download-only`
 * into a git-ignored cache.
 *
 * apt is pointed at private copies of everything it would otherwise change
 * on the machine: a `deb-src` copy of the machine's apt source (the mirror is
 * read at run time, never written into the repository) in a private
 * `sources.list.d`, private lists and a private cache. Only the
 * `*.debian.tar.*` (or, for a native package, the `debian/` members of its
 * one tarball) is unpacked, with tar; nothing from the package is run.
 *
 * Layout under `.cache/sources/` (or `RORLINT_SOURCES`):
 *
 *   apt/                    the private apt state (sources, lists, cache)
 *   <pkg>/debian/           the unpacked debian directory
 *   <pkg>/files/            the .dsc and the tarball it came from
 *   <pkg>/stamp.json        what was fetched (see `SourceStamp`)
 *   <pkg>.missing.json      the archive had no such source (404): not retried for a day
 *   lock                    pid of the process fetching
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { acquireLock, projectRoot } from "./build.js";
import { resolveMirror } from "./mirror.js";

/** Source packages the tests use: the five the brief names, then others where the archive serves them. */
export const REQUIRED_SOURCES = ["isc-dhcp", "ifupdown", "openssh", "util-linux", "cron"];
export const OPTIONAL_SOURCES = ["sysvinit", "resolvconf", "rsyslog", "chrony", "nfs-utils", "mdadm", "anacron"];
export const DEFAULT_SOURCES = [...REQUIRED_SOURCES, ...OPTIONAL_SOURCES];

/** The suite fetched from unless told otherwise: the tests' expectations were checked against it. */
export const DEFAULT_SUITE = "bookworm";

const PACKAGE_PATTERN = /^[a-z0-9][a-z0-9+.-]+$/;
const SUITE_PATTERN = /^[a-z][a-z0-9-]*$/;
/** How long a 404 is believed before the archive is asked again. */
const MISSING_TTL_MS = 24 * 3600 * 1000;

export interface SourceStamp {
  name: string;
  suite: string;
  version: string;
  /** The tarball the debian directory came from (file name only). */
  tarball: string;
  fetchedAt: string;
}

export type SourceStatus = "fetched" | "cached" | "unavailable" | "failed";

export interface SourceResult {
  name: string;
  status: SourceStatus;
  /** Directory holding `debian/` (fetched and cached only). */
  dir?: string;
  version?: string;
  /** Why a package is unavailable or failed: the end of apt-get's output. */
  reason?: string;
}

export interface FetchOptions {
  suite?: string;
  /** Mirror URL; defaults to RORLINT_MIRROR, then the machine's apt sources. */
  mirror?: string;
  /** Fetch again even when cached. */
  force?: boolean;
  onProgress?: (line: string) => void;
}

/** The cache directory: `RORLINT_SOURCES`, or `.cache/sources/` in the project. */
export function sourcesDir(): string {
  const fromEnv = process.env.RORLINT_SOURCES?.trim();
  return fromEnv ? resolve(fromEnv) : join(projectRoot(), ".cache", "sources");
}

/** Directory holding `debian/` for a package (whether fetched or not). */
export function sourceRoot(name: string): string {
  return join(sourcesDir(), name);
}

/** The apt options that keep lists, cache and sources private to the cache directory. */
export function aptOptions(aptDir: string): string[] {
  const opts: Record<string, string> = {
    "Dir::Etc::SourceList": join(aptDir, "sources.list"),
    "Dir::Etc::SourceParts": join(aptDir, "sources.list.d"),
    "Dir::State::Lists": join(aptDir, "lists"),
    "Dir::Cache": join(aptDir, "cache"),
    "Dir::Cache::pkgcache": "",
    "Dir::Cache::srcpkgcache": "",
    // Downloads land in private directories that the _apt user may not reach.
    "APT::Sandbox::User": "root",
    "Acquire::Languages": "none",
  };
  return Object.entries(opts).flatMap(([k, v]) => ["-o", `${k}=${v}`]);
}

/** The deb822 text of the private `deb-src` source. */
export function debSrcSource(url: string, suite: string): string {
  return `# Written by rorlint (src/corpus/sources.ts): a deb-src copy of the machine's apt source.\nTypes: deb-src\nURIs: ${url}\nSuites: ${suite}\nComponents: main\n`;
}

interface RunResult {
  code: number | null;
  output: string;
}

function run(command: string, args: string[], cwd: string): Promise<RunResult> {
  return new Promise((done) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, LC_ALL: "C", DEBIAN_FRONTEND: "noninteractive" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => chunks.push(c));
    child.stderr.on("data", (c: Buffer) => chunks.push(c));
    child.on("error", (err) => done({ code: null, output: `could not run ${command}: ${err.message}` }));
    child.on("close", (code) => done({ code, output: Buffer.concat(chunks).toString("utf8") }));
  });
}

function tail(output: string, lines = 6): string {
  return output.trim().split("\n").slice(-lines).join("\n");
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}

/** Sets up the private apt state and runs `apt-get update` when the source changed or lists are missing. */
async function prepareApt(aptDir: string, suite: string, mirror: string | undefined, progress: (l: string) => void): Promise<void> {
  const url = mirror ?? (await resolveMirror({ suite })).url;
  for (const d of ["sources.list.d", "lists/partial", "cache/archives/partial"]) await mkdir(join(aptDir, d), { recursive: true });
  await writeFile(join(aptDir, "sources.list"), "");
  const file = join(aptDir, "sources.list.d", "rorlint-src.sources");
  const text = debSrcSource(url, suite);
  const previous = await readFile(file, "utf8").catch(() => "");
  const lists = (await readdir(join(aptDir, "lists")).catch(() => [] as string[])).filter((n) => n.includes("Sources"));
  if (previous === text && lists.length > 0) return;
  await writeFile(file, text);
  progress(`apt-get update (deb-src ${suite}, private lists)`);
  const r = await run("apt-get", [...aptOptions(aptDir), "-q", "update"], aptDir);
  if (r.code !== 0) {
    // Keep going: apt-get source says which packages cannot be had.
    progress(`apt-get update exited with ${r.code}: ${tail(r.output, 3)}`);
  }
}

/** Extracts the debian directory of a downloaded source package into `dest` (which then holds `debian/`). */
async function unpackDebian(files: string, names: string[], dest: string): Promise<string> {
  const debianTar = names.find((n) => /\.debian\.tar\.(xz|gz|bz2|lzma)$/.test(n));
  await mkdir(dest, { recursive: true });
  const safety = ["--no-same-owner", "--no-same-permissions", "--delay-directory-restore"];
  if (debianTar) {
    const r = await run("tar", ["-xf", join(files, debianTar), "-C", dest, ...safety, "debian"], dest);
    if (r.code !== 0) throw new Error(`tar: ${tail(r.output)}`);
    return debianTar;
  }
  // A native package (format 3.0 (native) or 1.0 without a diff): its one tarball holds debian/.
  const tarball = names.find((n) => /\.tar\.(xz|gz|bz2|lzma)$/.test(n) && !/\.orig(-[^.]+)?\.tar\./.test(n));
  if (!tarball) throw new Error(`no debian tarball among ${names.join(", ")}`);
  const r = await run("tar", ["-xf", join(files, tarball), "-C", dest, ...safety, "--wildcards", "--strip-components=1", "*/debian/*"], dest);
  if (r.code !== 0) throw new Error(`tar: ${tail(r.output)}`);
  return tarball;
}

async function fetchOne(name: string, aptDir: string, suite: string): Promise<SourceResult> {
  const base = sourcesDir();
  const tmp = join(base, `${name}.tmp-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  const files = join(tmp, "files");
  await mkdir(files, { recursive: true });
  try {
    const r = await run("apt-get", [...aptOptions(aptDir), "-q", "--download-only", "--only-source", "source", name], files);
    if (r.code !== 0) {
      const reason = tail(r.output);
      const missing = /404|Unable to find a source package|no source package|Failed to fetch/i.test(r.output);
      if (missing) await writeFile(join(base, `${name}.missing.json`), `${JSON.stringify({ name, suite, reason, at: new Date().toISOString() }, null, 2)}\n`);
      return { name, status: missing ? "unavailable" : "failed", reason };
    }
    const names = await readdir(files);
    const dsc = names.find((n) => n.endsWith(".dsc"));
    const version = dsc ? dsc.slice(name.length + 1, -".dsc".length) : "unknown";
    const tarball = await unpackDebian(files, names, tmp);
    // Keep the .dsc and the tarball the debian directory came from; upstream tarballs are not needed.
    for (const n of names) if (n !== dsc && n !== tarball) await rm(join(files, n), { force: true });
    const stamp: SourceStamp = { name, suite, version, tarball, fetchedAt: new Date().toISOString() };
    await writeFile(join(tmp, "stamp.json"), `${JSON.stringify(stamp, null, 2)}\n`);
    const dest = sourceRoot(name);
    await rm(dest, { recursive: true, force: true });
    await rename(tmp, dest);
    await rm(join(base, `${name}.missing.json`), { force: true });
    return { name, status: "fetched", dir: dest, version };
  } catch (error) {
    return { name, status: "failed", reason: (error as Error).message };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/**
 * Makes sure the debian directory of each source package is in the cache,
 * fetching what is missing. A package the archive does not serve is
 * reported as "unavailable" (and not asked for again for a day); nothing
 * throws for a single package.
 */
export async function ensureSources(names: string[] = DEFAULT_SOURCES, options: FetchOptions = {}): Promise<SourceResult[]> {
  const suite = options.suite ?? DEFAULT_SUITE;
  if (!SUITE_PATTERN.test(suite)) throw new Error(`invalid suite "${suite}"`);
  for (const n of names) if (!PACKAGE_PATTERN.test(n)) throw new Error(`invalid source package name "${n}"`);
  const progress = options.onProgress ?? (() => {});
  const base = sourcesDir();
  await mkdir(base, { recursive: true });
  const release = await acquireLock(base, (pid) => progress(`waiting for another fetch (pid ${pid})`));
  try {
    const results: SourceResult[] = [];
    const todo: string[] = [];
    for (const name of names) {
      const stamp = await readJson<SourceStamp>(join(sourceRoot(name), "stamp.json"));
      if (!options.force && stamp && stamp.suite === suite && existsSync(join(sourceRoot(name), "debian"))) {
        results.push({ name, status: "cached", dir: sourceRoot(name), version: stamp.version });
        continue;
      }
      const missing = await readJson<{ suite: string; reason: string; at: string }>(join(base, `${name}.missing.json`));
      if (!options.force && missing && missing.suite === suite && Date.now() - Date.parse(missing.at) < MISSING_TTL_MS) {
        results.push({ name, status: "unavailable", reason: missing.reason });
        continue;
      }
      todo.push(name);
    }
    if (todo.length > 0) {
      const aptDir = join(base, "apt");
      await prepareApt(aptDir, suite, options.mirror ?? (process.env.RORLINT_MIRROR?.trim() || undefined), progress);
      for (const name of todo) {
        progress(`apt-get source --download-only ${name}`);
        const r = await fetchOne(name, aptDir, suite);
        progress(`${name}: ${r.status}${r.version ? ` ${r.version}` : ""}${r.reason ? ` (${r.reason.split("\n").pop()})` : ""}`);
        results.push(r);
      }
    }
    const order = new Map(names.map((n, i) => [n, i]));
    return results.sort((a, b) => order.get(a.name)! - order.get(b.name)!);
  } finally {
    await release();
  }
}

/** `node dist/src/corpus/sources.js [PKG...] [--force]`: fetches into the cache and prints a summary. */
async function main(argv: string[]): Promise<number> {
  const force = argv.includes("--force");
  const names = argv.filter((a) => !a.startsWith("-"));
  const results = await ensureSources(names.length ? names : DEFAULT_SOURCES, { force, onProgress: (l) => process.stderr.write(`sources: ${l}\n`) });
  for (const r of results) process.stdout.write(`${r.name.padEnd(12)} ${r.status.padEnd(11)} ${r.version ?? r.reason?.split("\n").pop() ?? ""}\n`);
  const required = results.filter((r) => REQUIRED_SOURCES.includes(r.name) && (r.status === "failed" || r.status === "unavailable"));
  return required.length > 0 || results.some((r) => r.status === "failed") ? 1 : 0;
}

if (process.argv[1] && /sources\.[jt]s$/.test(process.argv[1]) && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ""))) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: Error) => {
      process.stderr.write(`sources: ${err.message}\n`);
      process.exitCode = 2;
    },
  );
}
