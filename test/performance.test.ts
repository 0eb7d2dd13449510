/**
 * The performance machinery must not change what a scan finds: parse
 * workers, the AST cache and the scan-result cache give the same findings
 * as a plain scan; every file is read and parsed once; files that cannot be
 * shell are not read past their first bytes; the caches ignore damaged
 * entries and notice changes. Timings are the benchmark's business
 * (`npm run bench`), not the tests'.
 */
import { afterAll, describe, expect, it } from "vitest";
import { appendFileSync, chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serialize } from "node:v8";
import { scanPath, type ScanResult } from "../src/scan.js";
import { openDirectory } from "../src/fs/dir.js";
import { HEAD_BYTES } from "../src/fs/view.js";
import { AstCache, pruneCache } from "../src/shell/cache.js";
import { ResultCache } from "../src/result-cache.js";
import { parseScript } from "../src/shell/program.js";
import { closeParsePool, poolThreads } from "../src/shell/pool.js";
import { checkPoolThreads, closeCheckPool } from "../src/engine/check-pool.js";
import { spawnSync } from "node:child_process";
import { makeTree, removeTree, ROOT, runCli, SKELETON, type TreeSpec } from "./helpers.js";

const temps: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "rorlint-perf-"));
  temps.push(d);
  return d;
}
afterAll(async () => {
  await closeParsePool();
  await closeCheckPool();
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

const shape = (r: ScanResult) => JSON.stringify({ findings: r.findings, diagnostics: r.diagnostics, parse: r.parse, scripts: r.scripts });

/** A tree with many init scripts sourcing one library under two names (a link), so that workers are worth starting. */
function bigTree(): TreeSpec {
  const tree: TreeSpec = { ...SKELETON, "lib/lsb/init-functions": "log_daemon_msg() { echo \"$@\" > /etc/last-message; }\nPIDDIR=/var/run/x\n", "usr/lib/lsb": { dir: true }, "usr/lib/lsb/init-functions": { symlink: "/lib/lsb/init-functions" } };
  for (let i = 0; i < 60; i++) {
    const lib = i % 2 ? "/lib/lsb/init-functions" : "/usr/lib/lsb/init-functions";
    tree[`etc/init.d/svc${i}`] = `#!/bin/sh\n. ${lib}\ncase "$1" in\nstart)\n  log_daemon_msg start svc${i}\n  mkdir -p /var/lib/svc${i}\n  echo ${i} > /var/lib/svc${i}/state\n  ;;\nesac\n`;
    tree[`etc/rcS.d/S10svc${i}`] = { symlink: `../init.d/svc${i}` };
  }
  return tree;
}

/** /etc/init.d/a writes into /etc/cache and /etc/other; z, after it, mounts a tmpfs on /etc/cache at boot. */
function learnedLaterTree(): TreeSpec {
  return {
    ...SKELETON,
    "etc/init.d/a": "#!/bin/sh\necho 1 > /etc/cache/a\necho 2 > /etc/other\n",
    "etc/init.d/z": "#!/bin/sh\nmount -t tmpfs tmpfs /etc/cache\n",
    "etc/cache": { dir: true },
    "etc/rcS.d/S01a": { symlink: "../init.d/a" },
    "etc/rcS.d/S02z": { symlink: "../init.d/z" },
  };
}

/** The shell rules' findings of a scan, as "rule path:line". */
const shellFindings = (r: ScanResult) => r.findings.filter((f) => f.ruleId.startsWith("ROR1")).map((f) => `${f.ruleId} ${f.path}:${f.line}`);

describe("worker threads", () => {
  it("check a directory's programs as one thread does, and stop when the scan is done", async () => {
    const root = makeTree(bigTree());
    try {
      const inThread = await scanPath(root, { workers: false });
      const shared = await scanPath(root, { workers: true });
      // The 60 scripts shared out between this thread and the workers.
      expect(shared.checking?.inWorkers).toBeGreaterThan(0);
      expect(shared.checking?.inWorkers).toBeLessThan(60);
      expect(inThread.checking?.inWorkers).toBe(0);
      expect(shape(shared)).toBe(shape(inThread));
      expect(inThread.findings.length).toBeGreaterThan(0);
      // The scan let go of the workers as soon as they had answered.
      expect(checkPoolThreads()).toBe(0);
    } finally {
      removeTree(root);
    }
  });

  it("take in what another thread's programs tell: a program told otherwise is checked again", async () => {
    // /etc/init.d/a (this thread's) writes into /etc/cache; z (a worker's) mounts a tmpfs there at boot.
    const root = makeTree(learnedLaterTree());
    try {
      const inThread = await scanPath(root, { workers: false });
      const shared = await scanPath(root, { workers: true });
      expect(shellFindings(shared)).toEqual(["ROR105 etc/init.d/a:3"]);
      expect(shared.checking).toEqual({ inWorkers: 1, rechecked: 1, remodelled: 0 });
      expect(shape(shared)).toBe(shape(inThread));
      // The facts too: z's mount counts, once.
      expect(shared.facts.bootMounts.map((m) => `${m.file}:${m.line} ${m.path} ${m.whenReadOnly}`)).toEqual(["/etc/init.d/z:2 /etc/cache true"]);
      expect(shared.facts.isWritable("/etc/cache/a")).toBe(true);
    } finally {
      removeTree(root);
    }
  });

  it("parse a tarball's texts as one thread does", async () => {
    const root = makeTree(bigTree());
    const dir = tempDir();
    const tarball = join(dir, "tree.tar");
    try {
      expect(spawnSync("tar", ["-C", root, "-cf", tarball, "."]).status).toBe(0);
      const inThread = await scanPath(tarball, { workers: false });
      const pooled = await scanPath(tarball, { workers: true });
      expect(pooled.parsing?.inWorkers).toBeGreaterThan(0);
      expect(inThread.parsing?.inWorkers).toBe(0);
      expect(shape(pooled)).toBe(shape(inThread));
      expect(inThread.findings.length).toBeGreaterThan(0);
      expect(poolThreads()).toBe(0);
    } finally {
      removeTree(root);
    }
  });

  it("run from the bundle the command line runs", () => {
    // The bundle (dist/bundle) places its code in chunks: its workers must still be found, and answer.
    const root = makeTree(bigTree());
    try {
      const one = runCli(["scan", root, "--format", "json", "--exit-zero"], { RORLINT_WORKERS: "0" });
      const shared = runCli(["scan", root, "--format", "json", "--exit-zero"], { RORLINT_WORKERS: "1" });
      expect(one.status).toBe(0);
      expect(shared.status).toBe(0);
      expect(shared.stderr).not.toMatch(/worker/i);
      expect(shared.stdout).toBe(one.stdout);
      expect(JSON.parse(one.stdout).findings.length).toBeGreaterThan(0);
    } finally {
      removeTree(root);
    }
  });

  it("do not pile up over many scans", async () => {
    const root = makeTree(bigTree());
    try {
      for (let i = 0; i < 4; i++) {
        await scanPath(root, { workers: true });
        expect(checkPoolThreads()).toBe(0);
        expect(poolThreads()).toBe(0);
      }
    } finally {
      removeTree(root);
    }
  });
});

describe("no work twice", () => {
  it("parses each text once, however many scripts source it and under whatever name", async () => {
    const root = makeTree(bigTree());
    try {
      const r = await scanPath(root, { workers: false });
      // 60 scripts and one library (sourced 60 times, under two names).
      expect(r.parsing?.inThread).toBe(61);
      expect(r.parse.files).toBe(61);
    } finally {
      removeTree(root);
    }
  });

  it("parses no script that no rule checks, unless a runtime script runs it", async () => {
    const postinst = (n: number) => `#!/bin/sh\nset -e\necho configured ${n} > /etc/foo${n}.conf\n`;
    const root = makeTree({
      ...SKELETON,
      "var/lib/dpkg/info/a.postinst": postinst(1),
      "var/lib/dpkg/info/b.postinst": postinst(2),
      // A boot script that runs b's postinst by its path: b's then runs at boot, and is checked.
      "etc/init.d/fixup": "#!/bin/sh\n/var/lib/dpkg/info/b.postinst configure\n",
      "etc/rcS.d/S01fixup": { symlink: "../init.d/fixup" },
    });
    try {
      const r = await scanPath(root, { workers: false });
      const roles = (p: string) => r.scripts.find((s) => s.path === p)?.roles;
      expect(roles("var/lib/dpkg/info/a.postinst")).toEqual(["maintainer"]);
      expect(roles("var/lib/dpkg/info/b.postinst")).toEqual(expect.arrayContaining(["maintainer", "boot"]));
      // The boot script and b's postinst; a's is listed, not parsed.
      expect(r.parse.files).toBe(2);
      expect(r.findings.filter((f) => f.ruleId.startsWith("ROR1")).map((f) => `${f.ruleId} ${f.path}:${f.line}`)).toEqual(["ROR105 var/lib/dpkg/info/b.postinst:3"]);
    } finally {
      removeTree(root);
    }
  });

  it("evaluates only the library functions a script can call", async () => {
    const lib = "used() { echo used > /var/lib/used/x; }\nunused() { echo unused > /etc/unused; }\ndo_start() { touch /etc/started; }\ndo_stop() { :; }\n";
    const root = makeTree({ ...SKELETON, "lib/lsb/init-functions": lib, "etc/init.d/svc": `#!/bin/sh\n. /lib/lsb/init-functions\nused\nrun() { do_$1; }\nrun start\n`, "etc/rcS.d/S01svc": { symlink: "../init.d/svc" } });
    try {
      const r = await scanPath(root, { workers: false });
      const { buildModel, ScriptCache } = await import("../src/shell/program.js");
      const view = await openDirectory(root);
      const text = readFileSync(join(root, "etc/init.d/svc"), "utf8");
      const model = await buildModel("/etc/init.d/svc", await parseScript(text), 6, new ScriptCache(view));
      const evaluated = [...model.functions.values()].filter((f) => f.commands.length > 0).map((f) => f.name);
      // `used` and `run` by name, `do_start` and `do_stop` through `do_$1`; `unused` is called by nothing.
      expect(evaluated.sort()).toEqual(["do_start", "do_stop", "run", "used"]);
      // do_$1 bound to "start" at boot: its write is found; nothing from `unused`.
      expect(r.findings.map((f) => `${f.ruleId} ${f.path}:${f.line}`)).toEqual(["ROR102 lib/lsb/init-functions:1", "ROR105 lib/lsb/init-functions:3"]);
    } finally {
      removeTree(root);
    }
  });

  it("checks a program again when a script learned after it changes what it was told", async () => {
    // /etc/init.d/a writes into /etc/cache before z, later in the scan, is seen mounting a tmpfs there at boot.
    const root = makeTree(learnedLaterTree());
    try {
      const kept = await scanPath(root, { workers: false });
      const remodelled = await scanPath(root, { workers: false, retainedChars: 0 });
      // The write into the tmpfs is fine; the other one is not.
      expect(shellFindings(kept)).toEqual(["ROR105 etc/init.d/a:3"]);
      expect(kept.checking).toEqual({ inWorkers: 0, rechecked: 1, remodelled: 0 });
      // Let go of at once, the program is parsed and modelled again, with the same result.
      expect(shape(remodelled)).toBe(shape(kept));
      expect(remodelled.checking).toEqual({ inWorkers: 0, rechecked: 1, remodelled: 1 });
    } finally {
      removeTree(root);
    }
  });

  it("reads a script in another language, or a binary, no further than its first bytes", async () => {
    const big = "x = 1\n".repeat(20_000);
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.alloc(100_000, 1)]);
    const root = makeTree({ "etc/init.d/py": `#!/usr/bin/python3\n${big}`, "etc/init.d/sh": `#!/bin/sh\n${"true\n".repeat(5000)}` });
    writeFileSync(join(root, "etc/init.d/elf"), elf);
    try {
      const view = await openDirectory(root);
      const reads = view.recordReads();
      const accept = (line: string) => !line.startsWith("#!/usr/bin/python");
      expect(await view.readText("/etc/init.d/py", { accept })).toMatchObject({ ok: false, code: "not-wanted" });
      expect(await view.readText("/etc/init.d/elf", { accept })).toMatchObject({ ok: false, code: "binary" });
      expect(await view.readText("/etc/init.d/sh", { accept })).toMatchObject({ ok: true });
      expect(reads.filter((r) => !("stat" in r)).map((r) => ("length" in r ? r.length : -1))).toEqual([HEAD_BYTES, HEAD_BYTES, statSync(join(root, "etc/init.d/sh")).size]);
    } finally {
      removeTree(root);
    }
  });
});

describe("the AST cache", () => {
  it("gives back what was parsed, and ignores a damaged entry", async () => {
    const dir = tempDir();
    const text = "#!/bin/sh\nmount -o remount,rw /\n";
    const cache = new AstCache(dir);
    expect(cache.get(text)).toBeUndefined();
    const script = await parseScript(text);
    cache.put(text, serialize(script));
    expect(cache.get(text)).toEqual(script);
    // Damage every entry: each is then a miss, and is removed.
    const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
    expect(files.length).toBe(1);
    for (const f of files) appendFileSync(join(f.parentPath, f.name), "garbage");
    expect(cache.get(text)).toBeUndefined();
    expect(cache.stats.corrupt).toBe(1);
    for (const f of files) expect(existsSync(join(f.parentPath, f.name))).toBe(false);
  });

  it("stays within its bound, the oldest entries going first", async () => {
    const dir = tempDir();
    const cache = new AstCache(dir);
    for (let i = 0; i < 20; i++) cache.put(`echo ${i}\n`, serialize(await parseScript(`echo ${i}\n`)));
    const size = () => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).reduce((n, d) => n + statSync(join(d.parentPath, d.name)).size, 0);
    const total = size();
    pruneCache(dir, total / 2);
    expect(size()).toBeLessThanOrEqual(total / 2);
    expect(size()).toBeGreaterThan(0);
  });

  it("makes a re-scan parse nothing, with the same findings", async () => {
    const root = makeTree(bigTree());
    try {
      const astCache = new AstCache(tempDir());
      const cold = await scanPath(root, { workers: false, astCache });
      const warm = await scanPath(root, { workers: false, astCache });
      expect(cold.parsing?.inThread).toBe(61);
      expect(warm.parsing).toMatchObject({ inThread: 0, inWorkers: 0, cached: 61 });
      expect(shape(warm)).toBe(shape(cold));
    } finally {
      removeTree(root);
    }
  });
});

describe("the scan-result cache", () => {
  const scan = (root: string, resultCache: ResultCache) => scanPath(root, { workers: false, resultCache, cacheKey: "test" });

  it("returns the stored result while nothing changed, and scans again when a file read or the index changes", async () => {
    const root = makeTree(bigTree());
    try {
      const resultCache = new ResultCache(tempDir());
      const first = await scan(root, resultCache);
      const again = await scan(root, resultCache);
      expect(first.cached).toBeUndefined();
      expect(again.cached).toBe(true);
      expect(shape(again)).toBe(shape(first));

      // The same size, other bytes: the index is the same, the read is not.
      const script = join(root, "etc/init.d/svc3");
      writeFileSync(script, readFileSync(script, "utf8").replace("/var/lib/svc3/state", "/etc/svc3-xxx/state"));
      const changed = await scan(root, resultCache);
      expect(changed.cached).toBeUndefined();
      expect(shape(changed)).toBe(shape(await scanPath(root, { workers: false })));
      expect(shape(changed)).not.toBe(shape(first));

      // A new file: the index changed.
      expect((await scan(root, resultCache)).cached).toBe(true);
      writeFileSync(join(root, "etc/init.d/new"), "#!/bin/sh\necho x > /etc/new-state\n");
      const added = await scan(root, resultCache);
      expect(added.cached).toBeUndefined();
      expect(added.scripts.map((s) => s.path)).toContain("etc/init.d/new");
    } finally {
      removeTree(root);
    }
  });

  it("notices a changed size or mode that the scan looked at, though it read no contents, and ignores one it did not look at", async () => {
    // The walk does not lstat files, nor does the digest of the index: the sizes and modes that the scan looked at
    // are recorded with its reads. Here ROR206 gives /var/spool/svc's mode in the tmpfiles.d line it suggests, and
    // the size of /etc/init.d/huge (over the size limit) is why it is not read.
    const root = makeTree({ ...bigTree(), "usr/share/doc/svc/README": "looked at by nothing\n", "var/spool/svc": { dir: true }, "etc/init.d/huge": "#!/bin/sh\n" + "true\n".repeat(1_700_000) });
    try {
      const resultCache = new ResultCache(tempDir());
      const readme = join(root, "usr/share/doc/svc/README");
      const first = await scan(root, resultCache);
      expect(first.findings.some((f) => f.path === "var/spool/svc" && f.message.includes("d /var/spool/svc 0755"))).toBe(true);
      expect(first.diagnostics.some((d) => d.path === "etc/init.d/huge" && d.code === "too-large")).toBe(true);
      expect((await scan(root, resultCache)).cached).toBe(true);
      // Nothing in the result depends on the README's size or mode.
      chmodSync(readme, 0o600);
      appendFileSync(readme, "more\n");
      expect((await scan(root, resultCache)).cached).toBe(true);
      for (const change of [() => chmodSync(join(root, "var/spool/svc"), 0o700), () => writeFileSync(join(root, "etc/init.d/huge"), "#!/bin/sh\nmount -o remount,rw /\n")]) {
        change();
        const again = await scan(root, resultCache);
        expect(again.cached).toBeUndefined();
        expect((await scan(root, resultCache)).cached).toBe(true);
      }
      const last = await scan(root, resultCache);
      expect(last.findings.some((f) => f.path === "var/spool/svc" && f.message.includes("d /var/spool/svc 0700"))).toBe(true);
      expect(last.diagnostics.some((d) => d.path === "etc/init.d/huge")).toBe(false);
      expect(last.scripts.some((x) => x.path === "etc/init.d/huge")).toBe(true);
    } finally {
      removeTree(root);
    }
  });

  it("answers a re-scan of a tree that did not change without walking it, and walks one that did", async () => {
    const root = makeTree({ ...bigTree(), "var/spool/svc": { dir: true }, "usr/share/doc/svc/README": "looked at by nothing\n" });
    try {
      // (The tree was made just now: every signature is recent, which the cache does not trust by default.)
      const fresh = new ResultCache(tempDir());
      await scan(root, fresh);
      expect((await scan(root, fresh)).cached).toBe(true);
      expect(fresh.stats.quick).toBe(0);
      const resultCache = new ResultCache(tempDir(), 0);
      const first = await scan(root, resultCache);
      let quick = 0;
      const again = async () => {
        const r = await scan(root, resultCache);
        expect(r.cached).toBe(true);
        expect(resultCache.stats.quick).toBe(++quick);
        return r;
      };
      expect(shape(await again())).toBe(shape(first));
      const changes: [string, () => void][] = [
        ["a script's contents", () => appendFileSync(join(root, "etc/init.d/svc7"), "echo more > /etc/more\n")],
        ["a new entry", () => writeFileSync(join(root, "usr/share/doc/svc/NEWS"), "new\n")],
        ["a removed entry", () => rmSync(join(root, "usr/share/doc/svc/README"))],
        ["a mode that was looked at", () => chmodSync(join(root, "var/spool/svc"), 0o700)],
        ["a directory replaced by a link", () => (rmSync(join(root, "usr/share/doc/svc"), { recursive: true }), symlinkSync(tempDir(), join(root, "usr/share/doc/svc")))],
      ];
      for (const [what, change] of changes) {
        change();
        // A change made in the same millisecond as the scan starts is not settled even with no margin: wait a tick.
        await new Promise((resolve) => setTimeout(resolve, 10));
        const r = await scan(root, resultCache);
        expect(r.cached, what).toBeUndefined();
        expect(resultCache.stats.quick, what).toBe(quick);
        expect(shape(await again())).toBe(shape(r));
      }
      expect((await again()).findings.some((f) => f.path === "etc/init.d/svc7" && f.line === 10)).toBe(true);
      // A root named through a link is followed, as the walk does.
      const link = join(tempDir(), "root");
      symlinkSync(root, link);
      await scan(link, resultCache);
      expect((await scan(link, resultCache)).cached).toBe(true);
      expect(resultCache.stats.quick).toBe(++quick);
    } finally {
      removeTree(root);
    }
  });

  it("is not used without a key for the options, nor for anything but a directory", async () => {
    const root = makeTree(bigTree());
    try {
      const resultCache = new ResultCache(tempDir());
      await scanPath(root, { workers: false, resultCache });
      expect((await scanPath(root, { workers: false, resultCache })).cached).toBeUndefined();
      const file = join(root, "etc/init.d/svc1");
      await scanPath(file, { resultCache, cacheKey: "x" });
      expect((await scanPath(file, { resultCache, cacheKey: "x" })).cached).toBeUndefined();
    } finally {
      removeTree(root);
    }
  });
});

describe("the sample corpus", () => {
  it("gives the same findings in one thread and with workers", async () => {
    const sample = join(ROOT, "corpora", "sample");
    expect(shape(await scanPath(sample, { workers: true }))).toBe(shape(await scanPath(sample, { workers: false })));
  });
});
