/**
 * Builds real Debian root filesystems ("corpora") from the manifests in
 * `corpora/targets/*.json` into a git-ignored cache, with debootstrap.
 *
 * Layout, per target, under the cache directory (`.cache/corpora/` in the
 * project, or `RORLINT_CACHE`):
 *
 *   <name>/rootfs        the finished tree; only ever appears by rename
 *   <name>/stamp.json    what the tree was built from (see `Stamp`)
 *   <name>/build.log     output of the last build
 *   <name>/lock          pid of the process building the target
 *   <name>/rootfs.tmp-*  a build in progress, or the leftover of a failed one
 *   <name>/rootfs.old-*  a replaced tree being deleted
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { constants, createWriteStream, existsSync } from "node:fs";
import { access, chmod, link, mkdir, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import { delimiter, dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { resolveMirror } from "./mirror.js";

/** A build target, as written in `corpora/targets/<name>.json`. */
export interface Manifest {
  name: string;
  /** e.g. "Debian 12 (bookworm), sysvinit" */
  title: string;
  distribution: string;
  release: string;
  suite: string;
  /** debootstrap `--variant` */
  variant: string;
  /** debootstrap `--include` */
  include: string[];
  /** Installed with apt-get inside the tree after debootstrap, with /proc mounted. */
  chrootInstall?: string[];
  /** `--merged-usr` / `--no-merged-usr`; absent lets debootstrap decide. */
  mergedUsr?: boolean;
  description: string;
}

/**
 * Everything a build depends on except the mirror, which only decides where
 * the same packages come from. A change here invalidates every stamp.
 */
export interface BuildParameters {
  builder: number;
  debootstrap: string[];
  chrootInstall: string[];
}

/** Contents of `<name>/stamp.json`. */
export interface Stamp {
  name: string;
  manifestSha256: string;
  parametersSha256: string;
  parameters: BuildParameters;
  builtAt: string;
  seconds: number;
}

/** A build step that failed: the command, and the end of its output. */
export class BuildError extends Error {
  constructor(
    message: string,
    readonly command: string,
    readonly tail: string[],
    readonly logFile: string,
  ) {
    super(message);
    this.name = "BuildError";
  }
}

/** The machine cannot build at all (no debootstrap, not root): a usage-level error. */
export class SetupError extends Error {
  override name = "SetupError";
}

export interface BuildOptions {
  /** Mirror URL given to debootstrap. */
  mirror: string;
  /** Rebuild even when the stamp matches. */
  force?: boolean;
  /** Receives one line per step, for progress output. */
  onProgress?: (line: string) => void;
}

export interface BuildResult {
  status: "built" | "up-to-date";
  seconds: number;
}

/** Bump when the way trees are built changes, so that old stamps stop matching. */
const BUILDER_VERSION = 1;
/** Flags of the apt-get install run inside the tree; no recommends, like debootstrap. */
const CHROOT_INSTALL_FLAGS = ["install", "-y", "--no-install-recommends"];
/** Lines of output kept for a failure report. */
const TAIL_LINES = 25;
const NAME_PATTERN = /^[a-z0-9][a-z0-9.-]*$/;
const PACKAGE_PATTERN = /^[a-z0-9][a-z0-9+.-]+$/;
/** Commands run inside the tree must not depend on the caller's PATH. */
const SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

let cachedProjectRoot: string | undefined;

/** The directory holding rorlint's package.json, found upwards from this module. */
export function projectRoot(): string {
  if (cachedProjectRoot !== undefined) return cachedProjectRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "package.json");
    if (existsSync(candidate) && existsSync(join(dir, "corpora"))) return (cachedProjectRoot = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no project root (package.json next to corpora/) above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

export function manifestsDir(): string {
  return join(projectRoot(), "corpora", "targets");
}

/** The cache directory: `RORLINT_CACHE`, or `.cache/corpora/` in the project. */
export function cacheDir(): string {
  const fromEnv = process.env.RORLINT_CACHE?.trim();
  return fromEnv ? resolve(fromEnv) : join(projectRoot(), ".cache", "corpora");
}

function targetDir(name: string): string {
  return join(cacheDir(), name);
}

/** Path of the root filesystem of target `name` (whether built or not). */
export function corpusRoot(name: string): string {
  return join(targetDir(name), "rootfs");
}

function stampPath(name: string): string {
  return join(targetDir(name), "stamp.json");
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Checks one parsed manifest and returns it with its fields in a fixed order. */
export function validateManifest(value: unknown, file: string): Manifest {
  const fail = (message: string): never => {
    throw new Error(`${file}: ${message}`);
  };
  if (typeof value !== "object" || value === null || Array.isArray(value)) return fail("not a JSON object");
  const record = value as Record<string, unknown>;
  const text = (key: string): string => {
    const field = record[key];
    return typeof field === "string" && field.trim() !== "" ? field : fail(`"${key}" must be a non-empty string`);
  };
  const packages = (key: string): string[] => {
    const field = record[key];
    if (!Array.isArray(field)) return fail(`"${key}" must be an array of package names`);
    for (const item of field) {
      if (typeof item !== "string" || !PACKAGE_PATTERN.test(item)) fail(`"${key}" has an invalid package name: ${JSON.stringify(item)}`);
    }
    return field as string[];
  };
  const known = new Set(["name", "title", "distribution", "release", "suite", "variant", "include", "chrootInstall", "mergedUsr", "description"]);
  for (const key of Object.keys(record)) if (!known.has(key)) fail(`unknown field "${key}"`);

  const name = text("name");
  if (!NAME_PATTERN.test(name)) fail(`"name" must match ${NAME_PATTERN}`);
  const manifest: Manifest = {
    name,
    title: text("title"),
    distribution: text("distribution"),
    release: text("release"),
    suite: text("suite"),
    variant: text("variant"),
    include: packages("include"),
    description: text("description"),
  };
  if (record.chrootInstall !== undefined) {
    manifest.chrootInstall = packages("chrootInstall");
    if (manifest.chrootInstall.length === 0) fail(`"chrootInstall" must not be empty when present`);
  }
  if (record.mergedUsr !== undefined) {
    if (typeof record.mergedUsr !== "boolean") fail(`"mergedUsr" must be true or false`);
    manifest.mergedUsr = record.mergedUsr as boolean;
  }
  return manifest;
}

async function readManifest(file: string): Promise<Manifest> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
  const manifest = validateManifest(parsed, file);
  if (`${manifest.name}.json` !== file.slice(file.lastIndexOf("/") + 1)) {
    throw new Error(`${file}: "name" is "${manifest.name}" but the file must then be named ${manifest.name}.json`);
  }
  return manifest;
}

/** All manifests in `corpora/targets/`, sorted by name. */
export async function loadManifests(): Promise<Manifest[]> {
  const dir = manifestsDir();
  const files = (await readdir(dir)).filter((file) => file.endsWith(".json")).sort();
  return Promise.all(files.map((file) => readManifest(join(dir, file))));
}

/** One manifest by name; the error lists the known names. */
export async function loadManifest(name: string): Promise<Manifest> {
  const manifests = await loadManifests();
  const manifest = manifests.find((candidate) => candidate.name === name);
  if (manifest === undefined) {
    throw new Error(`unknown corpus "${name}"; known: ${manifests.map((known) => known.name).join(", ")}`);
  }
  return manifest;
}

/** debootstrap's arguments before the target directory and the mirror. */
function debootstrapArgs(manifest: Manifest): string[] {
  const args = [`--variant=${manifest.variant}`];
  if (manifest.mergedUsr !== undefined) args.push(manifest.mergedUsr ? "--merged-usr" : "--no-merged-usr");
  if (manifest.include.length > 0) args.push(`--include=${manifest.include.join(",")}`);
  args.push(manifest.suite);
  return args;
}

export function buildParameters(manifest: Manifest): BuildParameters {
  return {
    builder: BUILDER_VERSION,
    debootstrap: debootstrapArgs(manifest),
    chrootInstall: manifest.chrootInstall === undefined ? [] : [...CHROOT_INSTALL_FLAGS, ...manifest.chrootInstall],
  };
}

/** The stamp a tree built from `manifest` now would carry, minus date and duration. */
function expectedStamp(manifest: Manifest): Pick<Stamp, "manifestSha256" | "parametersSha256" | "parameters"> {
  const parameters = buildParameters(manifest);
  return {
    manifestSha256: sha256(JSON.stringify(manifest)),
    parametersSha256: sha256(JSON.stringify(parameters)),
    parameters,
  };
}

async function readStamp(name: string): Promise<Stamp | undefined> {
  try {
    return JSON.parse(await readFile(stampPath(name), "utf8")) as Stamp;
  } catch {
    return undefined;
  }
}

async function isCurrent(manifest: Manifest): Promise<boolean> {
  const stamp = await readStamp(manifest.name);
  const expected = expectedStamp(manifest);
  return (
    stamp !== undefined &&
    stamp.manifestSha256 === expected.manifestSha256 &&
    stamp.parametersSha256 === expected.parametersSha256 &&
    existsSync(corpusRoot(manifest.name))
  );
}

/** Whether target `name` has a finished tree built from its current manifest. */
export async function isBuilt(name: string): Promise<boolean> {
  return isCurrent(await loadManifest(name));
}

/** Absolute path of `name` on PATH or in the sbin directories root's PATH may lack. */
async function findExecutable(name: string): Promise<string | undefined> {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/sbin"];
  for (const dir of dirs.filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; try the next directory
    }
  }
  return undefined;
}

/** Checks that this machine can build at all; returns debootstrap's path. */
export async function checkBuildHost(): Promise<string> {
  const debootstrap = await findExecutable("debootstrap");
  if (debootstrap === undefined) {
    throw new SetupError("debootstrap is not installed (looked on PATH and in /usr/sbin, /sbin); install it, e.g. `apt-get install debootstrap`");
  }
  if (process.getuid?.() !== 0) throw new SetupError("building a corpus needs root (debootstrap and chroot do)");
  return debootstrap;
}

/** Runs one command, appending its output to `log`; throws BuildError on failure. */
function runStep(command: string, args: string[], logFile: string, env: NodeJS.ProcessEnv): Promise<void> {
  const shown = [command, ...args].join(" ");
  return new Promise((resolvePromise, reject) => {
    const log = createWriteStream(logFile, { flags: "a" });
    log.write(`$ ${shown}\n`);
    const tail: string[] = [];
    let partial = "";
    const collect = (chunk: Buffer): void => {
      log.write(chunk);
      const lines = (partial + chunk.toString("utf8")).split("\n");
      partial = lines.pop() ?? "";
      tail.push(...lines);
      tail.splice(0, Math.max(0, tail.length - TAIL_LINES));
    };
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    const finish = (failure: string | undefined): void => {
      if (partial !== "") tail.push(partial);
      log.end(() => {
        if (failure === undefined) resolvePromise();
        else reject(new BuildError(failure, shown, tail.slice(-TAIL_LINES), logFile));
      });
    };
    child.on("error", (error) => finish(`could not run ${command}: ${error.message}`));
    child.on("close", (code, signal) => {
      if (code === 0) finish(undefined);
      else finish(signal !== null ? `${command} was killed by ${signal}` : `${command} exited with status ${code}`);
    });
  });
}

/** Mount points at or below `dir`, deepest first, from /proc/self/mountinfo. */
async function mountsUnder(dir: string): Promise<string[]> {
  const info = await readFile("/proc/self/mountinfo", "utf8");
  const decode = (path: string): string => path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
  return info
    .split("\n")
    .map((line) => line.split(" ")[4])
    .filter((point): point is string => point !== undefined)
    .map(decode)
    .filter((point) => point === dir || point.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/** Unmounts everything at or below `dir` (lazily if need be). */
async function unmountAll(dir: string, logFile: string): Promise<void> {
  const env = { ...process.env, PATH: SYSTEM_PATH };
  for (const point of await mountsUnder(dir)) {
    await runStep("umount", [point], logFile, env).catch(() => runStep("umount", ["--lazy", point], logFile, env));
  }
}

/**
 * Deletes a tree that may still have file systems mounted in it (a build
 * interrupted while /proc was mounted in the chroot). Refuses to delete
 * while anything stays mounted, so rm never walks into the host's /proc.
 */
async function removeTree(dir: string, logFile: string): Promise<void> {
  await unmountAll(dir, logFile);
  const left = await mountsUnder(dir);
  if (left.length > 0) throw new Error(`not deleting ${dir}: still mounted: ${left.join(", ")}`);
  await rm(dir, { recursive: true, force: true });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes `<dir>/lock` for this process, waiting while a live process holds
 * it and taking over from a dead one. The lock file is written complete
 * under a private name and then hard-linked into place, which is atomic.
 */
export async function acquireLock(dir: string, onWait: (pid: number) => void): Promise<() => Promise<void>> {
  const lock = join(dir, "lock");
  const mine = join(dir, `lock.${process.pid}.${Math.random().toString(36).slice(2)}`);
  await writeFile(mine, `${process.pid}\n`);
  try {
    let waitingFor: number | undefined;
    for (;;) {
      try {
        await link(mine, lock);
        return () => rm(lock, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      const holder = Number.parseInt(await readFile(lock, "utf8").catch(() => ""), 10);
      if (Number.isNaN(holder) || !processAlive(holder)) {
        await rm(lock, { force: true });
        continue;
      }
      if (waitingFor !== holder) onWait((waitingFor = holder));
      await sleep(1000);
    }
  } finally {
    await rm(mine, { force: true });
  }
}

/**
 * Installs `packages` inside `root` with apt-get, the way a live system
 * would: /proc mounted, no prompts, and a policy-rc.d forbidding services to
 * start. /proc is unmounted and policy-rc.d removed whatever happens.
 */
async function chrootInstall(root: string, packages: string[], logFile: string, progress: (line: string) => void): Promise<void> {
  const env = { ...process.env, PATH: SYSTEM_PATH, LC_ALL: "C", DEBIAN_FRONTEND: "noninteractive" };
  const policy = join(root, "usr", "sbin", "policy-rc.d");
  await writeFile(policy, "#!/bin/sh\n# rorlint corpus build: start no service.\nexit 101\n", { flag: "wx" });
  await chmod(policy, 0o755);
  try {
    await runStep("mount", ["-t", "proc", "proc", join(root, "proc")], logFile, env);
    try {
      progress(`chroot apt-get ${[...CHROOT_INSTALL_FLAGS, ...packages].join(" ")}`);
      await runStep("chroot", [root, "apt-get", "update"], logFile, env);
      // Lists and downloaded .debs stay, as debootstrap leaves its own.
      await runStep("chroot", [root, "apt-get", ...CHROOT_INSTALL_FLAGS, ...packages], logFile, env);
    } finally {
      await unmountAll(join(root, "proc"), logFile);
    }
  } finally {
    await rm(policy, { force: true });
  }
}

/** Builds one tree into `tmp`: debootstrap, then the optional chroot install. */
async function buildInto(tmp: string, manifest: Manifest, options: BuildOptions, debootstrap: string, logFile: string): Promise<void> {
  const progress = options.onProgress ?? (() => {});
  const env = { ...process.env, LC_ALL: "C", DEBIAN_FRONTEND: "noninteractive" };
  const args = debootstrapArgs(manifest);
  progress(`debootstrap ${args.join(" ")}`);
  // debootstrap wants SUITE TARGET MIRROR: the suite is already last in args.
  await runStep(debootstrap, [...args, tmp, options.mirror], logFile, env);
  if (manifest.chrootInstall !== undefined) await chrootInstall(tmp, manifest.chrootInstall, logFile, progress);
}

/** Serialises builds of one target within this process (the lock file covers other processes). */
const localQueue = new Map<string, Promise<unknown>>();

/**
 * Builds `manifest` unless its stamp matches (or `force`). The new tree is
 * built in a temporary sibling of `rootfs` and renamed into place only when
 * complete; the stamp is written last. Throws BuildError when a step fails,
 * after deleting the partial tree (its output stays in build.log).
 */
export async function buildCorpus(manifest: Manifest, options: BuildOptions): Promise<BuildResult> {
  const previous = localQueue.get(manifest.name) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => buildLocked(manifest, options));
  localQueue.set(manifest.name, run);
  try {
    return await run;
  } finally {
    if (localQueue.get(manifest.name) === run) localQueue.delete(manifest.name);
  }
}

async function buildLocked(manifest: Manifest, options: BuildOptions): Promise<BuildResult> {
  const started = performance.now();
  const seconds = (): number => Math.round((performance.now() - started) / 100) / 10;
  const progress = options.onProgress ?? (() => {});
  const debootstrap = await checkBuildHost();
  const dir = targetDir(manifest.name);
  await mkdir(dir, { recursive: true });
  const release = await acquireLock(dir, (pid) => progress(`waiting for another build of ${manifest.name} (pid ${pid})`));
  const logFile = join(dir, "build.log");
  try {
    // Someone else may have finished the build while we waited for the lock.
    if (!options.force && (await isCurrent(manifest))) return { status: "up-to-date", seconds: seconds() };

    await writeFile(logFile, `# ${manifest.name}: build started ${new Date().toISOString()}\n`);
    // We hold the lock, so any temporary tree here is left over from a failed or killed build.
    for (const entry of await readdir(dir)) {
      if (/^rootfs\.(tmp|old)-/.test(entry)) {
        progress(`removing ${entry}, left over from an earlier build`);
        await removeTree(join(dir, entry), logFile);
      }
    }

    const tmp = join(dir, `rootfs.tmp-${process.pid}`);
    try {
      await buildInto(tmp, manifest, options, debootstrap, logFile);
    } catch (error) {
      await removeTree(tmp, logFile);
      throw error;
    }

    const root = corpusRoot(manifest.name);
    const old = join(dir, `rootfs.old-${process.pid}`);
    const hadOld = existsSync(root);
    if (hadOld) await rename(root, old);
    await rename(tmp, root);
    const stamp: Stamp = { name: manifest.name, ...expectedStamp(manifest), builtAt: new Date().toISOString(), seconds: seconds() };
    await writeFile(`${stampPath(manifest.name)}.tmp`, `${JSON.stringify(stamp, null, 2)}\n`);
    await rename(`${stampPath(manifest.name)}.tmp`, stampPath(manifest.name));
    if (hadOld) await removeTree(old, logFile);
    return { status: "built", seconds: stamp.seconds };
  } finally {
    await release();
  }
}

/**
 * The root filesystem of target `name`, built first if it is missing or
 * stale (mirror from RORLINT_MIRROR or the apt sources; progress on stderr).
 */
export async function ensureCorpus(name: string): Promise<string> {
  const manifest = await loadManifest(name);
  if (!(await isCurrent(manifest))) {
    const mirror = await resolveMirror({ suite: manifest.suite });
    await buildCorpus(manifest, {
      mirror: mirror.url,
      onProgress: (line) => process.stderr.write(`corpus ${name}: ${line}\n`),
    });
  }
  return corpusRoot(name);
}
