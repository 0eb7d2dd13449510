/**
 * Hostile input: a tree, tarballs and a .deb holding everything a broken or
 * malicious root filesystem can (test/fixtures-hostile.ts builds them at
 * test time). The scan must finish in time, name every hostile item in a
 * diagnostic (or, for input that is merely large, scan it completely), and
 * never open a path outside what it was asked to scan: strace proves that.
 *
 * The command-line tests run the built CLI (dist/); `npm test` builds it first.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { scanPath, type ScanResult } from "../src/scan.js";
import { openDirectory } from "../src/fs/dir.js";
import { BIN, ROOT } from "./helpers.js";
import {
  BAD_NAME,
  BAD_NAME_SHOWN,
  debPackage,
  HUGE_LINES,
  makeHostileTree,
  removeHostile,
  SYMBOLS_WRITE_LINE,
  tarArchive,
  tempDir,
  truncatableMembers,
  WRITE,
  writeTruncated,
  type HostileTree,
} from "./fixtures-hostile.js";

/** Longest a scan of the hostile tree may take (it takes a few seconds: most of it is the 200,000-line script). */
const SCAN_LIMIT_MS = 60_000;

let tree: HostileTree;
let result: ScanResult;
let scanMs: number;
/** Hostile archives, in their own directory. */
let archives: string;
/** strace logs. */
let logs: string;
let hostileTar: string;
let truncatedTgz: string;
let emptyTgz: string;
let truncatedDeb: string;

beforeAll(async () => {
  tree = makeHostileTree();
  archives = tempDir();
  logs = tempDir("rorlint-strace-");
  hostileTar = join(archives, "hostile.tar");
  writeFileSync(
    hostileTar,
    await tarArchive([
      { name: "./etc/", type: "directory" },
      { name: "./usr/bin/", type: "directory" },
      { name: "./etc/os-release", data: "ID=hostile\n" },
      { name: "./etc/fstab", data: "/dev/sda1 / ext4 ro 0 1\n" },
      { name: "../../etc/cron.daily/escape", data: `#!/bin/sh\n${WRITE}\n` },
      { name: "/etc/cron.daily/abs", data: `#!/bin/sh\n\n${WRITE}\n` },
      { name: "etc/cron.daily/hard", type: "link", linkname: "../../etc/cron.daily/escape" },
      { name: "etc/init.d/shadow", type: "symlink", linkname: "/etc/shadow" },
      { name: "etc/init.d/fifo", type: "fifo" },
      { name: "etc/init.d/zero", type: "character-device", devmajor: 1, devminor: 5 },
    ]),
  );
  const tgz = gzipSync(await tarArchive(truncatableMembers()));
  truncatedTgz = writeTruncated(archives, "truncated.tar.gz", tgz, 0.5);
  emptyTgz = writeTruncated(archives, "cut-in-header.tar.gz", tgz, 20 / tgz.length);
  const deb = await debPackage("hostile", { postinst: `#!/bin/sh\nset -e\n${WRITE}\n` }, truncatableMembers());
  truncatedDeb = writeTruncated(archives, "hostile_1.0_amd64.deb", deb, 0.6);

  const start = Date.now();
  result = await scanPath(tree.root);
  scanMs = Date.now() - start;
}, SCAN_LIMIT_MS + 60_000);

afterAll(() => {
  tree?.remove();
  if (archives) removeHostile(archives);
  if (logs) removeHostile(logs);
});

const diagnostic = (r: ScanResult, path: string, code: string) => r.diagnostics.find((d) => d.path === path && d.code === code);
/** The writes under /etc (ROR105) that the hostile scripts make: root filesystem rules are not the point here. */
const findingsOf = (r: ScanResult) => r.findings.filter((f) => f.ruleId === "ROR105").map((f) => `${f.ruleId} ${f.path}:${f.line}`);

describe("a hostile tree, scanned in process", () => {
  it("finishes within the time limit", () => {
    expect(scanMs).toBeLessThan(SCAN_LIMIT_MS);
    expect(result.kind).toBe("rootfs");
  });

  it("re-roots a symlink to /etc/shadow: the in-root target is missing, so nothing is read", async () => {
    expect(result.scripts.map((s) => s.path)).not.toContain("etc/shadow");
    // The view names the dangling link when it is read (the host's /etc/shadow is never opened: see the strace test).
    const view = await openDirectory(tree.root);
    expect(await view.readText("/etc/init.d/shadow")).toMatchObject({ ok: false, path: "/etc/init.d/shadow", code: "dangling-link" });
  });

  it("stops a relative link climbing past the root at the root, and says so", () => {
    expect(diagnostic(result, "etc/init.d/climb", "link-above-root")).toBeDefined();
    expect(result.scripts.map((s) => s.path)).toContain("usr/share/hostile/climbed.sh");
  });

  it("ends a 40-link loop with a symlink-loop diagnostic", () => {
    expect(diagnostic(result, "etc/init.d/loop", "symlink-loop")?.message).toMatch(/symlink loop \(more than 40 links\)/);
  });

  it("never opens a FIFO or a character device", (ctx) => {
    expect(diagnostic(result, "etc/init.d/fifo", "not-a-file")).toBeDefined();
    ctx.skip(tree.skipped.has("character device"), `no character device: ${tree.skipped.get("character device")}`);
    expect(diagnostic(result, "etc/cron.daily/zero", "not-a-file")).toBeDefined();
  });

  it("refuses a 1 GiB sparse file by its size", () => {
    expect(diagnostic(result, "etc/init.d/sparse", "too-large")).toBeDefined();
  });

  it("keeps a name that is not UTF-8, byte for byte, and scans the file", () => {
    expect(diagnostic(result, `etc/cron.daily/${BAD_NAME_SHOWN}`, "name-not-utf8")).toBeDefined();
    expect(findingsOf(result)).toContain(`ROR105 etc/cron.daily/${BAD_NAME_SHOWN}:2`);
  });

  it("keeps the line numbers of a script that is not UTF-8", () => {
    expect(findingsOf(result)).toContain("ROR105 etc/cron.daily/latin1:4");
  });

  it("stops a 10,000-deep directory chain where the host's path limit is, with one diagnostic", () => {
    const deep = result.diagnostics.filter((d) => d.path.startsWith("deep/"));
    expect(deep).toHaveLength(1);
    expect(deep[0]).toMatchObject({ code: "enametoolong" });
    expect(deep[0]!.path).toMatch(/^deep(\/d)+$/);
  });

  it("abandons a parse that takes too long (text that is not shell), says so, and reads that file line by line", () => {
    expect(diagnostic(result, "etc/init.d/symbols", "parse-abandoned")).toBeDefined();
    expect(findingsOf(result)).toContain(`ROR105 etc/init.d/symbols:${SYMBOLS_WRITE_LINE}`);
  });

  it("scans a 200,000-line script completely (a finding on its last line)", () => {
    expect(findingsOf(result)).toContain(`ROR105 usr/sbin/dhclient-script:${HUGE_LINES}`);
  });
});

describe("hostile archives, scanned in process", () => {
  it("reads ../../x and /abs members inside the root, with a diagnostic for each", async () => {
    const r = await scanPath(hostileTar);
    expect(r.kind).toBe("rootfs");
    expect(diagnostic(r, "etc/cron.daily/escape", "unsafe-member-name")?.message).toContain('"../../etc/cron.daily/escape"');
    expect(diagnostic(r, "etc/cron.daily/abs", "unsafe-member-name")?.message).toContain('"/etc/cron.daily/abs"');
    // The hard link is the member it links to.
    expect(findingsOf(r)).toEqual(["ROR105 etc/cron.daily/abs:3", "ROR105 etc/cron.daily/escape:2", "ROR105 etc/cron.daily/hard:2"]);
    expect(diagnostic(r, "etc/init.d/fifo", "not-a-file")).toBeDefined();
    expect(diagnostic(r, "etc/init.d/zero", "not-a-file")).toBeDefined();
  });

  it("reports a truncated .tar.gz at the member where it ends, and scans what came before", async () => {
    const r = await scanPath(truncatedTgz);
    expect(diagnostic(r, "etc/cron.daily/big", "archive-truncated")?.message).toMatch(/unexpected end of gzip data.*inside this member/);
    expect(findingsOf(r)).toEqual(["ROR105 etc/cron.daily/early:2"]);
  });

  it("reports a truncated .deb and still scans its maintainer scripts and the files before the cut", async () => {
    const r = await scanPath(truncatedDeb);
    expect(r.diagnostics.filter((d) => d.code === "archive-truncated").map((d) => `${d.path} ${d.message}`)).toEqual([
      expect.stringMatching(/^ hostile_1\.0_amd64\.deb: member "data\.tar\.gz" is truncated/),
      expect.stringMatching(/^etc\/cron\.daily\/big data\.tar\.gz: truncated archive \(unexpected end of gzip data\) inside this member/),
    ]);
    expect(r.scripts.find((s) => s.path === "var/lib/dpkg/info/hostile.postinst")?.roles).toEqual(["maintainer"]);
    expect(findingsOf(r)).toEqual(["ROR105 etc/cron.daily/early:2"]);
  });
});

/** Runs the built CLI, optionally under a wrapper (strace, setpriv), with a minimal environment and a time limit. */
function cli(args: string[], wrapper: string[] = []) {
  const [cmd, ...pre] = [...wrapper, process.execPath, BIN, ...args];
  const r = spawnSync(cmd!, pre, {
    cwd: ROOT,
    encoding: "utf8",
    timeout: SCAN_LIMIT_MS * 2,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", NO_COLOR: "1" },
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, json: () => JSON.parse(r.stdout) as { findings: { path: string }[]; diagnostics: { path: string; code: string }[] } };
}

function needsBuild(): void {
  if (!existsSync(join(ROOT, "dist", "src", "cli.js"))) throw new Error("dist/ is missing: run `npm run build` first (`npm test` does)");
}

describe("the command line on hostile input", () => {
  it("exits 2 only when nothing could be read", () => {
    needsBuild();
    const empty = cli(["scan", emptyTgz]);
    expect(empty.status).toBe(2);
    expect(empty.stderr).toContain(emptyTgz);
    expect(empty.stderr).toMatch(/truncated archive \(unexpected end of gzip data\): nothing could be read/);
    const partial = cli(["scan", "-f", "json", truncatedTgz]);
    expect(partial.status).toBe(1);
    expect(partial.json().diagnostics.map((d) => d.code)).toContain("archive-truncated");
  });

  it("reports directories and files it may not read (EACCES)", (ctx) => {
    needsBuild();
    // Root reads anything; without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH it obeys the permission bits like anyone.
    const asRoot = process.getuid?.() === 0;
    const setpriv = spawnSync("setpriv", ["--version"]);
    ctx.skip(asRoot && setpriv.status !== 0, "running as root without setpriv(1): cannot drop the capabilities that bypass permissions");
    // etc/ alone (a directory of scripts) holds both, and leaves out the 200,000-line script.
    const r = cli(["scan", "-f", "json", join(tree.root, "etc")], asRoot ? ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"] : []);
    expect(r.status, r.stderr).toBe(0); // notes are not findings
    const diags = r.json().diagnostics;
    expect(diags).toContainEqual(expect.objectContaining({ path: "cron.weekly", code: "eacces" }));
    expect(diags).toContainEqual(expect.objectContaining({ path: "cron.daily/secret", code: "eacces" }));
  });

  it("reports each entry of a directory it may list but not search (EACCES), and leaves them out", (ctx) => {
    needsBuild();
    const asRoot = process.getuid?.() === 0;
    const setpriv = spawnSync("setpriv", ["--version"]);
    ctx.skip(asRoot && setpriv.status !== 0, "running as root without setpriv(1): cannot drop the capabilities that bypass permissions");
    // The walk takes entry types from the listing: the entries must still be found unreachable, as an lstat of each would.
    const dir = tempDir("rorlint-noexec-");
    try {
      mkdirSync(join(dir, "init.d/sub"), { recursive: true });
      writeFileSync(join(dir, "init.d/job"), `#!/bin/sh\n${WRITE}\n`, { mode: 0o755 });
      symlinkSync("job", join(dir, "init.d/link"));
      chmodSync(join(dir, "init.d"), 0o444);
      const r = cli(["scan", "-f", "json", dir], asRoot ? ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"] : []);
      expect(r.status, r.stderr).toBe(0);
      const denied = { code: "eacces", message: "permission denied: not scanned" };
      expect(r.json().diagnostics).toEqual(["init.d/job", "init.d/link", "init.d/sub"].map((path) => ({ path, ...denied })));
    } finally {
      removeHostile(dir);
    }
  });
});

/**
 * Paths outside the scanned input that the CLI may open, each for a reason
 * that has nothing to do with the input. Anything else fails the test.
 */
function allowedOutside(): { test: (path: string) => boolean; why: string }[] {
  const under = (dir: string) => (p: string) => p.startsWith(dir + "/");
  const exactly = (...paths: string[]) => (p: string) => paths.includes(p);
  const matching = (re: RegExp) => (p: string) => re.test(p);
  return [
    { test: exactly("/etc/ld.so.cache"), why: "the dynamic loader's cache, read before node runs" },
    { test: matching(/^\/(usr\/)?lib(32|64)?\/([^/]+\/)?[^/]+\.so(\.\d+)*$/), why: "shared libraries of the node binary (libc, libstdc++, libm...)" },
    { test: exactly(process.execPath, realpathSync(process.execPath)), why: "node maps its own binary" },
    { test: matching(/^\/(etc|usr\/lib|usr\/local)\/ssl\/openssl\.cnf$/), why: "OpenSSL's configuration, which node loads at startup" },
    { test: exactly("/dev/null"), why: "libuv reserves a spare descriptor on /dev/null (for running out of descriptors) when it sets up its first pipe" },
    {
      test: matching(/^\/proc\/(self|\d+)\/(cgroup|maps)$|^\/proc\/meminfo$|^\/proc\/sys\/vm\/overcommit_memory$|^\/sys\/devices\/system\/cpu\/online$|^\/sys\/fs\/cgroup\//),
      why: "V8 and libuv sizing the heap and the thread pool from the memory and CPU limits",
    },
    { test: exactly(BIN, join(ROOT, "bin", "package.json"), join(ROOT, "package.json")), why: "the CLI's entry point, and the package.json files the ES module loader reads to find its module type" },
    { test: under(join(ROOT, "dist")), why: "the compiled CLI" },
    { test: under(join(ROOT, "node_modules")), why: "the CLI's dependencies (commander, tree-sitter, tar-stream...)" },
  ];
}

/** Decodes a path as strace prints it ("\377" octal escapes, "\n"...) into one character per byte. */
function straceString(s: string): string {
  const simple: Record<string, string> = { n: "\n", t: "\t", r: "\r", v: "\v", f: "\f", '"': '"', "\\": "\\" };
  return s.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/g, (_, e: string) => (e[0] === "x" ? String.fromCharCode(parseInt(e.slice(1), 16)) : /^[0-7]/.test(e) ? String.fromCharCode(parseInt(e, 8)) : (simple[e] ?? e)));
}

interface Open {
  path: string;
  flags: string;
  line: string;
}

/** Every open(2)/openat(2)/openat2(2) in a strace log (of any process, succeeded or not). */
function opensIn(log: string): Open[] {
  const opens: Open[] = [];
  for (const line of log.split("\n")) {
    const m = /\b(?:open|openat|openat2)\((?:(AT_FDCWD|-?\d+), )?"((?:[^"\\]|\\.)*)"(\.\.\.)?(.*)$/.exec(line);
    if (!m) continue;
    if (m[3]) throw new Error(`strace cut a path short: ${line}`);
    const path = straceString(m[2]!);
    if (m[1] !== undefined && m[1] !== "AT_FDCWD" && !path.startsWith("/")) throw new Error(`open relative to a directory descriptor: ${line}`);
    opens.push({ path, flags: m[4]!, line });
  }
  return opens;
}

describe("containment, proved with strace", () => {
  const strace = spawnSync("strace", ["-V"]);

  function traced(args: string[], name: string): Open[] {
    const log = join(logs, name);
    const r = cli(args, ["strace", "-f", "-qq", "-s", "65536", "-e", "trace=open,openat,openat2", "-o", log, "--"]);
    expect(r.signal).toBeNull();
    expect(r.status, r.stderr).toBe(1);
    return opensIn(readFileSync(log, "latin1"));
  }

  function outside(opens: Open[], inputs: string[]): string[] {
    const allowed = allowedOutside();
    return opens
      .map((o) => o.path)
      .filter((p) => !inputs.some((i) => p === i || p.startsWith(i + "/")) && !allowed.some((a) => a.test(p)));
  }

  it("opens nothing outside the hostile tree but the CLI's own files, and never the FIFO, device, sparse file or host /etc/shadow", (ctx) => {
    ctx.skip(strace.status !== 0, "strace is not installed (.ci/run installs it)");
    needsBuild();
    const opens = traced(["scan", "-f", "json", tree.root], "tree.log");
    expect(opens.length).toBeGreaterThan(0);
    expect(outside(opens, [tree.root])).toEqual([]);
    const paths = opens.map((o) => o.path);
    // The trace saw the scan: the files it read, the name that is not UTF-8 decoded back to its bytes.
    expect(paths).toContain(join(tree.root, "etc/fstab"));
    expect(paths).toContain(join(tree.root, "etc/cron.daily/") + BAD_NAME.toString("latin1"));
    for (const never of ["etc/init.d/fifo", "etc/cron.daily/zero", "etc/init.d/sparse"]) expect(paths).not.toContain(join(tree.root, never));
    expect(paths).not.toContain("/etc/shadow");
    // Nothing is written: every open is read-only.
    expect(opens.filter((o) => /O_WRONLY|O_RDWR|O_CREAT/.test(o.flags)).map((o) => o.line)).toEqual([]);
  }, SCAN_LIMIT_MS * 2);

  it("reads archives in place: opens only the archives, and writes nothing to disk", (ctx) => {
    ctx.skip(strace.status !== 0, "strace is not installed (.ci/run installs it)");
    needsBuild();
    const inputs = [hostileTar, truncatedTgz, truncatedDeb];
    const opens = traced(["scan", "-f", "json", ...inputs], "archives.log");
    expect(outside(opens, inputs)).toEqual([]);
    expect(opens.filter((o) => /O_WRONLY|O_RDWR|O_CREAT/.test(o.flags)).map((o) => o.line)).toEqual([]);
  }, SCAN_LIMIT_MS * 2);
});
