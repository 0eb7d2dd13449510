/**
 * `npm run bench`: rorlint against the parse floor and ShellCheck, its
 * scaling, its memory over repeated scans, and its result cache.
 *
 *   npm run bench                 the Debian 12 sysvinit corpus (built with debootstrap if missing)
 *   npm run bench -- --quick      the embedded sample corpus, fewer rounds, N up to 4 (what the tests run)
 *   options: --rounds N, --corpus NAME, --out FILE, --no-shellcheck
 *
 * Every figure is a whole process (node and its start included), measured
 * side by side and interleaved (A, B, C, A, B, C ...) so that the machine's
 * load falls on all alike: wall time, and peak RSS from GNU time (`%M`).
 * The figures are printed and written as JSON (`.cache/bench/results.json`,
 * and one file per run beside it), without machine paths.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { join, relative } from "node:path";
import { ensureCorpus, projectRoot } from "../src/corpus/build.js";
import { scaleTree } from "./scale.js";

interface Run {
  wall: number;
  /** Peak resident set, in MB. */
  rss: number;
  status: number | null;
}

interface Series {
  wall: { median: number; min: number; max: number };
  rss: { median: number; min: number; max: number };
  runs: Run[];
}

const GNU_TIME = "/usr/bin/time";
const MB = 1024;

function summary(runs: Run[]): Series {
  const stat = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const mid = s.length >> 1;
    return { median: s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2, min: s[0]!, max: s[s.length - 1]! };
  };
  return { wall: stat(runs.map((r) => r.wall)), rss: stat(runs.map((r) => r.rss)), runs };
}

/** Runs a command to completion: wall time (here) and peak RSS (GNU time; else sampled from /proc). */
async function measure(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const fullEnv = { ...process.env, ...env };
  if (existsSync(GNU_TIME)) {
    const out = join(tmpdir(), `rorlint-bench-time-${process.pid}`);
    const start = performance.now();
    const r = spawnSync(GNU_TIME, ["-f", "%M", "-o", out, cmd, ...args], { stdio: ["ignore", "ignore", "ignore"], env: fullEnv });
    const wall = (performance.now() - start) / 1000;
    const rss = Number.parseInt(readFileSync(out, "utf8").trim().split("\n").pop() ?? "0", 10) / MB;
    rmSync(out, { force: true });
    return { wall, rss, status: r.status };
  }
  // No GNU time: the peak as /proc shows it while the process runs (VmHWM of the process, threads included).
  return new Promise((resolve) => {
    const start = performance.now();
    const child = spawn(cmd, args, { stdio: "ignore", env: fullEnv });
    let peak = 0;
    const timer = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
        if (m) peak = Math.max(peak, Number(m[1]));
      } catch {
        // ended
      }
    }, 5);
    child.on("exit", (status) => {
      clearInterval(timer);
      resolve({ wall: (performance.now() - start) / 1000, rss: peak / MB, status });
    });
  });
}

const fmtS = (s: number) => (s < 10 ? s.toFixed(2) : s.toFixed(1)) + " s";
const fmtMB = (m: number) => m.toFixed(0) + " MB";
/** "1.13 s (1.05-1.28)": the median, then the range, in the median's unit. */
const spread = (x: { median: number; min: number; max: number }, f: (n: number) => string) => {
  const unit = f(x.median).replace(/^[\d.]+/, "");
  return `${f(x.median)} (${f(x.min).replace(unit, "")}-${f(x.max).replace(unit, "")})`;
};
const pass = (ok: boolean) => (ok ? "met" : "NOT met");

function shellcheckVersion(): string | null {
  const r = spawnSync("shellcheck", ["--version"], { encoding: "utf8" });
  return r.status === 0 ? (/version: (\S+)/.exec(r.stdout)?.[1] ?? "?") : null;
}

/** ShellCheck, installed with apt when missing (full runs only, as root). */
function ensureShellcheck(install: boolean): { version: string | null; note: string } {
  let version = shellcheckVersion();
  if (version) return { version, note: "" };
  if (!install) return { version: null, note: "ShellCheck is not installed (a quick run does not install it)" };
  if (process.getuid?.() !== 0 || !existsSync("/usr/bin/apt-get")) return { version: null, note: "ShellCheck is not installed and cannot be (apt-get as root is needed)" };
  process.stderr.write("bench: installing shellcheck with apt-get\n");
  const aptEnv = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  let r = spawnSync("apt-get", ["install", "-y", "-q", "shellcheck"], { stdio: ["ignore", "ignore", "inherit"], env: aptEnv });
  if (r.status !== 0) {
    spawnSync("apt-get", ["update", "-q"], { stdio: ["ignore", "ignore", "inherit"], env: aptEnv });
    r = spawnSync("apt-get", ["install", "-y", "-q", "shellcheck"], { stdio: ["ignore", "ignore", "inherit"], env: aptEnv });
  }
  version = shellcheckVersion();
  return version ? { version, note: "installed with apt-get for this run" } : { version: null, note: "ShellCheck could not be installed with apt-get: its column is left out" };
}

/** `--repeat ROOT COUNT`: scans in this process, printing RSS (after a full GC) after each. */
async function repeatChild(root: string, count: number): Promise<void> {
  const { scanPath } = await import("../src/scan.js");
  const { closeParsePool } = await import("../src/shell/pool.js");
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 1; i <= count; i++) {
    const start = performance.now();
    const r = await scanPath(root);
    const wall = (performance.now() - start) / 1000;
    // What the process keeps, not what it has yet to give back: a full GC, and a moment for V8 to unmap freed pages.
    for (let k = 0; k < 2; k++) {
      gc?.();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    process.stdout.write(JSON.stringify({ scan: i, wall, rss: process.memoryUsage().rss / 1048576, heap: process.memoryUsage().heapUsed / 1048576, findings: r.findings.length }) + "\n");
  }
  await closeParsePool();
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === "--repeat") return repeatChild(argv[1]!, Number(argv[2]));
  const quick = argv.includes("--quick");
  const opt = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  // (Rounds enough for a median that the noise of a shared machine moves little: a run there varies by 20-40%.)
  const rounds = Number(opt("--rounds") ?? (quick ? 3 : 15));
  const corpusName = opt("--corpus") ?? (quick ? "sample" : "debian-12-sysvinit");
  const withShellcheck = !argv.includes("--no-shellcheck");
  const scaleNs = quick ? [1, 2, 4] : [1, 4, 16, 50];
  const repeats = quick ? 3 : 20;

  const project = projectRoot();
  const benchDir = join(project, ".cache", "bench");
  mkdirSync(benchDir, { recursive: true });
  const cli = join(project, "bin", "rorlint.js");
  const floor = join(project, "dist", "bench", "floor.js");
  const self = join(project, "dist", "bench", "bench.js");
  const node = process.execPath;

  // The corpus: built with debootstrap if missing (ensureCorpus); the sample is part of the repository.
  const corpus = corpusName === "sample" ? join(project, "corpora", "sample") : await ensureCorpus(corpusName);
  // What the scaling trees are built from: the corpus build's stamp (the sample: its listing, in the floor's output below).
  const corpusStamp = corpusName === "sample" ? spawnSync("sh", ["-c", 'cd "$0" && find . -printf "%p %s %T@\n" | sort', corpus], { encoding: "utf8" }).stdout : readFileSync(join(corpus, "..", "stamp.json"), "utf8");
  const shown = (p: string) => relative(project, p) || ".";

  const date = new Date().toISOString();
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  console.log(`rorlint bench (${quick ? "quick" : "full"}), ${date.slice(0, 16).replace("T", " ")} UTC`);
  console.log(`node ${process.version}, ${availableParallelism()} cores (${cpu}), peak RSS by ${existsSync(GNU_TIME) ? "GNU time" : "sampling /proc"}`);

  // The floor's discovery also gives the shell files, for ShellCheck.
  const listFile = join(benchDir, "shell-files.txt");
  const discovery = spawnSync(node, [floor, corpus, "--list", listFile], { encoding: "utf8" });
  if (discovery.status !== 0) throw new Error(`the floor failed: ${discovery.stderr}`);
  const found = JSON.parse(discovery.stdout) as { entries: number; shellFiles: number; bytes: number; nodes: number };
  console.log(`corpus ${corpusName} (${shown(corpus)}): ${found.entries.toLocaleString("en")} entries, ${found.shellFiles} shell files (${(found.bytes / 1024).toFixed(0)} KB, ${found.nodes.toLocaleString("en")} syntax nodes)`);

  const sc = withShellcheck ? ensureShellcheck(!quick) : { version: null, note: "left out (--no-shellcheck)" };
  if (sc.note) console.log(`ShellCheck: ${sc.note}`);

  // ----- side by side -----
  console.log(`\n== side by side: ${rounds} rounds, interleaved ==`);
  const runs: Record<"rorlint" | "rorlintOneThread" | "floor" | "shellcheck", Run[]> = { rorlint: [], rorlintOneThread: [], floor: [], shellcheck: [] };
  // ShellCheck in batches (the argument list has a limit), one after the other, as one timed process.
  const shellcheckArgs = ["-c", 'xargs -d "\\n" -n 100 shellcheck -f json < "$0" > /dev/null; exit 0', listFile];
  for (let i = 0; i < rounds; i++) {
    runs.rorlint.push(await measure(node, [cli, "scan", corpus, "-f", "json"]));
    runs.floor.push(await measure(node, [floor, corpus]));
    runs.rorlintOneThread.push(await measure(node, [cli, "scan", corpus, "-f", "json"], { RORLINT_WORKERS: "0" }));
    if (sc.version) runs.shellcheck.push(await measure("sh", shellcheckArgs));
  }
  const side = { rorlint: summary(runs.rorlint), rorlintOneThread: summary(runs.rorlintOneThread), floor: summary(runs.floor), shellcheck: sc.version ? summary(runs.shellcheck) : null };
  const row = (name: string, s: Series) => console.log(`${name.padEnd(24)} ${spread(s.wall, fmtS).padEnd(26)} ${spread(s.rss, fmtMB)}`);
  console.log(`${"".padEnd(24)} ${"wall: median (min-max)".padEnd(26)} peak RSS: median (min-max)`);
  row("rorlint scan", side.rorlint);
  row("  (RORLINT_WORKERS=0)", side.rorlintOneThread);
  row("parse floor", side.floor);
  if (side.shellcheck) row(`ShellCheck ${sc.version}`, side.shellcheck);
  const ratioFloor = side.rorlint.wall.median / side.floor.wall.median;
  console.log(`rorlint / floor: ${ratioFloor.toFixed(2)}x (target <= 1.3x: ${pass(ratioFloor <= 1.3)})`);
  const ratioShellcheck = side.shellcheck ? side.shellcheck.wall.median / side.rorlint.wall.median : null;
  if (ratioShellcheck !== null) console.log(`ShellCheck / rorlint: ${ratioShellcheck.toFixed(1)}x (target >= 15x: ${pass(ratioShellcheck >= 15)})`);

  // ----- scaling -----
  console.log(`\n== scaling: N copies of the corpus in one tree (${scaleNs.join(", ")}) ==`);
  const scale: { n: number; scripts: number; wall: number; rss: number; build: number }[] = [];
  console.log(`${"N".padStart(3)}  ${"scripts".padStart(8)}  ${"wall".padStart(8)}  ${"peak RSS".padStart(9)}  ${"wall/N".padStart(8)}`);
  // The trees first (built once, kept in .cache/bench/), then the runs, interleaved across N.
  const trees = scaleNs.map((n) => {
    const t0 = performance.now();
    const tree = scaleTree(corpus, n, join(benchDir, corpusName), corpusStamp);
    return { n, tree, build: (performance.now() - t0) / 1000, runs: [] as Run[] };
  });
  for (let i = 0; i < (quick ? 1 : 5); i++) for (const t of trees) t.runs.push(await measure(node, [cli, "scan", t.tree.root, "-f", "json"]));
  for (const { n, tree, build, runs: scaleRuns } of trees) {
    const s = summary(scaleRuns);
    const scripts = Number(JSON.parse(spawnSync(node, [cli, "scan", tree.root, "-f", "json"], { encoding: "utf8", maxBuffer: 1 << 28 }).stdout || "{}").targets?.[0]?.scripts ?? 0);
    scale.push({ n, scripts, wall: s.wall.median, rss: s.rss.median, build });
    console.log(`${String(n).padStart(3)}  ${String(scripts).padStart(8)}  ${fmtS(s.wall.median).padStart(8)}  ${fmtMB(s.rss.median).padStart(9)}  ${fmtS(s.wall.median / n).padStart(8)}`);
  }
  // Linear: every point within 20% of the line t = a + bN fitted to them all. The tolerance is relative, so the fit is
  // too: least squares of the relative deviations (weights 1/t^2). A plain least-squares fit weighs deviations in
  // seconds, which N = 50 dominates: N = 1 a tenth of a second off that line is 20% off it.
  const weights = scale.map((x) => 1 / x.wall ** 2);
  const wSum = weights.reduce((acc, w) => acc + w, 0);
  const wMean = (f: (x: (typeof scale)[number]) => number) => scale.reduce((acc, x, i) => acc + weights[i]! * f(x), 0) / wSum;
  const nMean = wMean((x) => x.n);
  const tMean = wMean((x) => x.wall);
  const b = scale.reduce((acc, x, i) => acc + weights[i]! * (x.n - nMean) * (x.wall - tMean), 0) / scale.reduce((acc, x, i) => acc + weights[i]! * (x.n - nMean) ** 2, 0);
  const a = tMean - b * nMean;
  const residuals = scale.map((x) => (x.wall - (a + b * x.n)) / (a + b * x.n));
  // Linear growth: every point within 20% of the line through them all. What each copy beyond the first adds is
  // printed too: falling (the first copies carry fixed costs) is growth below linear, rising would be above it.
  const slopes = scale.slice(1).map((x) => (x.wall - scale[0]!.wall) / (x.n - 1));
  const rising = slopes.some((s, i) => i > 0 && s > slopes[i - 1]! * 1.2);
  const linear = scale.length > 1 && b > 0 && residuals.every((r) => Math.abs(r) <= 0.2) && !rising;
  console.log(`seconds per added copy (from N = 1): ${slopes.map((s, i) => `${scale[i + 1]!.n}: ${s.toFixed(3)}`).join(", ")}${rising ? " (rising: worse than linear)" : ""}`);
  console.log(`fitted line (relative least squares): ${a.toFixed(2)} s + ${b.toFixed(3)} s x N; points off it by ${residuals.map((r, i) => `${scale[i]!.n}: ${(r * 100).toFixed(0)}%`).join(", ")}`);
  console.log(`time linear in N (every point within 20% of the line, no added copy dearer by 20% than the one before): ${linear ? "yes" : "no"}`);
  const last = scale[scale.length - 1]!;
  console.log(`peak RSS at N = ${last.n}: ${fmtMB(last.rss)} (${last.n === 50 ? `target <= 300 MB: ${pass(last.rss <= 300)}` : "the target, <= 300 MB, is for N = 50: not judged"})`);

  // ----- repeated scans -----
  console.log(`\n== repeated scans: ${repeats} in one process (RSS after a full GC and 0.2 s) ==`);
  const rep = spawnSync(node, ["--expose-gc", self, "--repeat", corpus, String(repeats)], { encoding: "utf8" });
  if (rep.status !== 0) throw new Error(`repeated scans failed: ${rep.stderr}`);
  const repeated = rep.stdout.trim().split("\n").map((l) => JSON.parse(l) as { scan: number; wall: number; rss: number; heap: number });
  console.log(repeated.map((r) => `${r.scan}: ${r.rss.toFixed(0)} MB`).join("  "));
  console.log(`heap used: ${repeated.map((r) => r.heap.toFixed(0)).join(" ")} MB`);
  const third = repeated[Math.min(2, repeated.length - 1)]!;
  const lastScan = repeated[repeated.length - 1]!;
  const drift = (lastScan.rss - third.rss) / third.rss;
  console.log(`last vs third: ${(drift * 100).toFixed(1)}% (target within 10%: ${pass(Math.abs(drift) <= 0.1)}); scan times ${repeated.map((r) => r.wall.toFixed(2)).join(" ")} s`);

  // ----- cache -----
  console.log(`\n== result cache: ${rounds} rounds of cold, warm, warm with the ASTs only ==`);
  const cacheRuns: Record<"cold" | "warm" | "astOnly", Run[]> = { cold: [], warm: [], astOnly: [] };
  for (let i = 0; i < rounds; i++) {
    const dir = mkdtempSync(join(tmpdir(), "rorlint-bench-cache-"));
    const args = [cli, "scan", corpus, "-f", "json", "--cache-dir", dir];
    cacheRuns.cold.push(await measure(node, args));
    cacheRuns.warm.push(await measure(node, args));
    // The tree changed since (as far as the scan-result cache knows): only the ASTs are reused.
    for (const d of spawnSync("sh", ["-c", `ls -d "${dir}"/scan-*`], { encoding: "utf8" }).stdout.split("\n").filter(Boolean)) rmSync(d, { recursive: true, force: true });
    cacheRuns.astOnly.push(await measure(node, args));
    rmSync(dir, { recursive: true, force: true });
  }
  const cache = { cold: summary(cacheRuns.cold), warm: summary(cacheRuns.warm), astOnly: summary(cacheRuns.astOnly) };
  row("cold --cache", cache.cold);
  row("warm --cache", cache.warm);
  row("warm, ASTs only", cache.astOnly);
  const cacheRatio = cache.warm.wall.median / cache.cold.wall.median;
  console.log(`warm / cold: ${cacheRatio.toFixed(2)} (target <= 0.3: ${pass(cacheRatio <= 0.3)}); ASTs only / cold: ${(cache.astOnly.wall.median / cache.cold.wall.median).toFixed(2)}`);

  // ----- JSON -----
  const results = {
    date,
    mode: quick ? "quick" : "full",
    machine: { node: process.version, cores: availableParallelism(), cpu, rss: existsSync(GNU_TIME) ? "GNU time %M" : "sampled VmHWM" },
    corpus: { name: corpusName, ...found },
    sideBySide: { rounds, ...side, shellcheckVersion: sc.version, shellcheckNote: sc.note || undefined },
    ratios: { rorlintOverFloor: ratioFloor, shellcheckOverRorlint: ratioShellcheck },
    scaling: { series: scale, fit: { seconds: a, secondsPerCopy: b }, residuals, secondsPerAddedCopy: slopes, linear },
    repeated: { scans: repeated, lastVsThird: drift },
    cache: { ...cache, warmOverCold: cacheRatio },
    targets: {
      floor: ratioFloor <= 1.3,
      shellcheck: ratioShellcheck === null ? null : ratioShellcheck >= 15,
      rssAtN50: last.n === 50 ? last.rss <= 300 : null,
      linear,
      flatRss: Math.abs(drift) <= 0.1,
      cache: cacheRatio <= 0.3,
    },
  };
  const out = opt("--out") ?? join(benchDir, "results.json");
  const json = JSON.stringify(results, null, 2) + "\n";
  writeFileSync(out, json);
  if (!opt("--out")) writeFileSync(join(benchDir, `results-${date.slice(0, 19).replace(/[:T]/g, "-")}.json`), json);
  console.log(`\nfigures: ${shown(out)}`);
}

await main();
