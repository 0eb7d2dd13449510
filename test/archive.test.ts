/**
 * Tarballs and .debs as scan targets: the archive backends of the
 * filesystem view, and equivalence with the unpacked tree on real data (a
 * .deb from `apt-get download`, a tarball of the Debian 12 sysvinit corpus),
 * both cached in the git-ignored .cache/.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { scanPath, type ScanResult } from "../src/scan.js";
import { openArchive } from "../src/fs/archive.js";
import { readArIndex } from "../src/fs/ar.js";
import { KEEP_BYTES } from "../src/fs/tar.js";
import { ensureCorpus } from "../src/corpus/build.js";
import { ROOT } from "./helpers.js";
import { arArchive, debPackage, incompressibleText, removeHostile, tarArchive, tempDir, truncatableMembers, WRITE, writeTruncated, type TarMember } from "./fixtures-hostile.js";

const CACHE = join(ROOT, ".cache");

let dir: string;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => removeHostile(dir));

/** Compresses with a command-line tool; null when it is not installed. */
function compressWith(tool: string, bytes: Buffer): Buffer | null {
  const r = spawnSync(tool, ["-c"], { input: bytes, maxBuffer: 1 << 30 });
  return r.status === 0 ? r.stdout : null;
}

/** A tar archive as each supported file: [file name, bytes or null when the compressor is missing]. */
function compressions(tar: Buffer): [string, Buffer | null][] {
  return [
    ["tree.tar", tar],
    ["tree.tar.gz", gzipSync(tar)],
    ["tree.tar.xz", compressWith("xz", tar)],
    ["tree.tar.zst", compressWith("zstd", tar)],
  ];
}

const summary = (r: ScanResult) => ({
  kind: r.kind,
  findings: r.findings,
  scripts: r.scripts,
  diagnostics: r.diagnostics,
});

/** A small root filesystem as tar members (`./`-prefixed, as `tar -C root -c .` writes them). */
const TREE: TarMember[] = [
  { name: "./", type: "directory" },
  { name: "./etc/", type: "directory" },
  { name: "./usr/bin/", type: "directory" },
  { name: "./etc/fstab", data: "/dev/sda1 / ext4 ro 0 1\n" },
  { name: "./etc/mtab", type: "symlink", linkname: "../proc/self/mounts" },
  { name: "./etc/init.d/early", data: `#!/bin/sh\n### BEGIN INIT INFO\n# Default-Start: S\n### END INIT INFO\ncase "$1" in\nstart) ${WRITE} ;;\nesac\n` },
  { name: "./etc/rcS.d/S01early", type: "symlink", linkname: "../init.d/early" },
  { name: "./etc/cron.daily/job", data: `#!/bin/sh\n. /lib/functions\nhelper\n` },
  { name: "./usr/lib/functions", data: `helper() {\n  ${WRITE}\n}\n` },
  { name: "./lib", type: "symlink", linkname: "usr/lib" },
  { name: "./etc/cron.daily/copy", type: "link", linkname: "./etc/cron.daily/job" },
];

describe("tarballs", () => {
  it("give the same scan plain, gzip, xz and zstd, and the same as the unpacked tree", async (ctx) => {
    const tar = await tarArchive(TREE);
    const unpacked = join(dir, "unpacked");
    mkdirSync(unpacked);
    writeFileSync(join(dir, "tree.tar"), tar);
    expect(spawnSync("tar", ["-C", unpacked, "-xf", join(dir, "tree.tar")]).status).toBe(0);
    const expected = summary(await scanPath(unpacked));
    expect(expected.findings.map((f) => `${f.ruleId} ${f.path}:${f.line}`)).toEqual(
      expect.arrayContaining(["ROR105 etc/init.d/early:6", "ROR105 usr/lib/functions:2"]),
    );
    expect(expected.scripts.map((s) => s.path)).toEqual(["etc/cron.daily/copy", "etc/cron.daily/job", "etc/init.d/early"]);

    const missing: string[] = [];
    for (const [name, bytes] of [...compressions(tar), ["tree.tgz", gzipSync(tar)] as const]) {
      if (!bytes) {
        missing.push(name);
        continue;
      }
      writeFileSync(join(dir, name), bytes);
      expect(summary(await scanPath(join(dir, name))), name).toEqual(expected);
    }
    ctx.skip(missing.length > 0, `not compressed (tool not installed): ${missing.join(", ")}`);
  });

  it("reads a text file above the in-memory size on demand, and refuses binaries without reading them again", async (ctx) => {
    const big = `#!/bin/sh\n# ${incompressibleText(KEEP_BYTES)}\n${WRITE}\n`;
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.alloc(KEEP_BYTES * 2, 1)]);
    const tar = await tarArchive([...TREE, { name: "./etc/cron.daily/big", data: big }, { name: "./etc/cron.daily/elf", data: elf }, { name: "./etc/cron.daily/after", data: "#!/bin/sh\n" }]);
    const missing: string[] = [];
    for (const [name, bytes] of compressions(tar)) {
      if (!bytes) {
        missing.push(name);
        continue;
      }
      writeFileSync(join(dir, `big-${name}`), bytes);
      const view = await openArchive(join(dir, `big-${name}`));
      expect(view.lstat("/etc/cron.daily/big")).toMatchObject({ type: "file", size: Buffer.byteLength(big) });
      expect(view.lstat("/etc/cron.daily/elf")).toMatchObject({ type: "file", binary: true });
      // A second pass, stopped at that member.
      expect(await view.readText("/etc/cron.daily/big"), name).toEqual({ ok: true, path: "/etc/cron.daily/big", text: big });
      expect(await view.readText("/etc/cron.daily/elf")).toMatchObject({ ok: false, code: "binary" });
    }
    ctx.skip(missing.length > 0, `not compressed (tool not installed): ${missing.join(", ")}`);
  });

  it("reports a truncated archive at the member where it ends, whatever the compression", async (ctx) => {
    const tar = await tarArchive(truncatableMembers());
    const missing: string[] = [];
    for (const [name, bytes] of compressions(tar)) {
      if (!bytes) {
        missing.push(name);
        continue;
      }
      const view = await openArchive(writeTruncated(dir, `cut-${name}`, bytes, 0.5));
      expect(view.diagnostics, name).toEqual([
        { path: "etc/cron.daily/big", code: "archive-truncated", message: expect.stringMatching(/^truncated archive \(unexpected end of (tar|gzip|xz|zstd) data\) inside this member/) },
      ]);
      expect(view.list("/etc/cron.daily")).toEqual(["early"]);
    }
    ctx.skip(missing.length > 0, `not compressed (tool not installed): ${missing.join(", ")}`);
  });

  it("maps hard links to their target, and reports one whose target is not in the archive", async () => {
    const path = join(dir, "links.tar");
    writeFileSync(path, await tarArchive([...TREE, { name: "./etc/cron.daily/orphan", type: "link", linkname: "./nowhere" }]));
    const view = await openArchive(path);
    expect(view.lstat("/etc/cron.daily/copy")).toMatchObject({ type: "file", size: view.lstat("/etc/cron.daily/job")!.size });
    expect(await view.readText("/etc/cron.daily/copy")).toMatchObject({ ok: true, text: expect.stringContaining("helper") });
    expect(view.lstat("/etc/cron.daily/orphan")).toBeUndefined();
    expect(view.diagnostics).toContainEqual({ path: "etc/cron.daily/orphan", code: "hardlink-target-missing", message: "hard link to /nowhere, which is not an earlier member: skipped" });
  });

  it("keeps member names that are not UTF-8, byte for byte", async () => {
    const src = join(dir, "latin1-src");
    mkdirSync(join(src, "etc/cron.daily"), { recursive: true });
    writeFileSync(Buffer.from(join(src, "etc/cron.daily/caf") + "\xe9", "latin1"), `#!/bin/sh\n${WRITE}\n`);
    const path = join(dir, "latin1.tar");
    expect(spawnSync("tar", ["-C", src, "-cf", path, "."]).status).toBe(0);
    const view = await openArchive(path);
    expect(view.list("/etc/cron.daily")).toEqual(["caf\u00e9"]);
    expect(view.diagnostics).toContainEqual(expect.objectContaining({ path: "etc/cron.daily/caf\u00e9", code: "name-not-utf8" }));
    expect(await view.readText("/etc/cron.daily/caf\u00e9")).toMatchObject({ ok: true });
  });

  it("takes a member 10,000 directories deep (its parents implied)", async () => {
    const deep = "d/".repeat(10_000) + "x";
    const path = join(dir, "deep.tar");
    writeFileSync(path, await tarArchive([...TREE, { name: deep, data: "#!/bin/sh\n" }]));
    const view = await openArchive(path);
    expect(view.lstat("/" + deep)).toMatchObject({ type: "file" });
    expect(view.list("/" + "d/".repeat(9_999) + "d")).toEqual(["x"]);
  });

  it("names the archive problem when the file is not an archive at all", async () => {
    const path = join(dir, "garbage.tar");
    writeFileSync(path, "this is not a tar archive\n".repeat(40));
    await expect(scanPath(path)).rejects.toThrow(/corrupt archive \(.*\): nothing could be read/);
    writeFileSync(join(dir, "x.tar.bz2"), Buffer.from("BZh91AY&SY"));
    await expect(scanPath(join(dir, "x.tar.bz2"))).rejects.toThrow(/bzip2 compression is not supported/);
  });
});

describe("ar, the .deb container", () => {
  it("indexes members, with the padding byte after odd sizes", async () => {
    const path = join(dir, "three.a");
    writeFileSync(path, arArchive([{ name: "a", data: Buffer.from("odd") }, { name: "b", data: Buffer.from("even") }, { name: "c", data: Buffer.from("x") }]));
    const index = await readArIndex(path);
    expect(index.error).toBeUndefined();
    expect(index.members.map((m) => [m.name, m.offset, m.size])).toEqual([
      ["a", 68, 3],
      ["b", 132, 4],
      ["c", 196, 1],
    ]);
  });

  it("names the member where a truncated or corrupt archive stops", async () => {
    const whole = arArchive([{ name: "first", data: Buffer.alloc(100, 0x61) }, { name: "second", data: Buffer.alloc(100, 0x62) }]);
    const cut = join(dir, "cut.a");
    writeFileSync(cut, whole.subarray(0, whole.length - 10));
    expect((await readArIndex(cut)).error).toEqual({ message: 'member "second" is truncated: 90 of 100 bytes present', truncated: true });
    writeFileSync(cut, whole.subarray(0, 8 + 60 + 100 + 30));
    expect((await readArIndex(cut)).error).toEqual({ message: 'truncated member header after member "first"', truncated: true });
    const corrupt = Buffer.from(whole);
    corrupt.write("XX", 8 + 60 + 100 + 58, "latin1");
    writeFileSync(cut, corrupt);
    expect((await readArIndex(cut)).error).toEqual({ message: 'corrupt member header after member "first"', truncated: false });
    writeFileSync(cut, "not an archive");
    await expect(readArIndex(cut)).rejects.toThrow(/not an ar archive/);
  });
});

describe(".deb packages", () => {
  it("puts maintainer scripts where dpkg keeps them, with the maintainer role, beside the shipped files", async () => {
    const path = join(dir, "demo_1.0_amd64.deb");
    writeFileSync(path, await debPackage("demo", { postinst: "#!/bin/sh\nset -e\n", prerm: "#!/bin/sh\n" }, TREE));
    const r = await scanPath(path);
    const roles = Object.fromEntries(r.scripts.map((s) => [s.path, s.roles]));
    expect(roles["var/lib/dpkg/info/demo.postinst"]).toEqual(["maintainer"]);
    expect(roles["var/lib/dpkg/info/demo.prerm"]).toEqual(["maintainer"]);
    expect(roles["etc/init.d/early"]).toEqual(["boot"]);
    // The control file itself is not installed as a file.
    expect((await openArchive(path)).lstat("/var/lib/dpkg/info/demo.control")).toBeUndefined();
  });

  it("names the scripts of a Multi-Arch: same package <package>:<arch>, as dpkg does", async () => {
    const path = join(dir, "libdemo_1.0_amd64.deb");
    writeFileSync(path, await debPackage("libdemo", { postinst: "#!/bin/sh\n" }, TREE, "Multi-Arch: same\n"));
    expect((await openArchive(path)).list("/var/lib/dpkg/info")).toEqual(["libdemo:amd64.postinst"]);
  });
});

/** A .deb from the machine's apt sources, downloaded once into .cache/debs/. */
function cachedDeb(pkg: string): string {
  const debs = join(CACHE, "debs");
  const find = () => readdirSync(debs).find((n) => n.startsWith(`${pkg}_`) && n.endsWith(".deb"));
  mkdirSync(debs, { recursive: true });
  let name = find();
  if (!name) {
    // Into a private directory first, so that an interrupted download never looks cached.
    const tmp = mkdtempSync(join(debs, "download-"));
    try {
      const r = spawnSync("apt-get", ["download", pkg], { cwd: tmp, encoding: "utf8" });
      const got = readdirSync(tmp).find((n) => n.endsWith(".deb"));
      if (r.status !== 0 || !got) throw new Error(`apt-get download ${pkg} failed: ${r.error?.message ?? r.stderr.trim()}`);
      renameSync(join(tmp, got), join(debs, got));
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    name = find()!;
  }
  return join(debs, name);
}

/** What installing `deb` creates: `dpkg-deb -R`, with the control members moved to var/lib/dpkg/info like dpkg does. */
function unpackDeb(deb: string, into: string): void {
  const r = spawnSync("dpkg-deb", ["-R", deb, into], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`dpkg-deb -R failed: ${r.error?.message ?? r.stderr}`);
  const field = (name: string) => spawnSync("dpkg-deb", ["-f", deb, name], { encoding: "utf8" }).stdout.trim();
  const name = field("Multi-Arch") === "same" ? `${field("Package")}:${field("Architecture")}` : field("Package");
  const info = join(into, "var/lib/dpkg/info");
  mkdirSync(info, { recursive: true });
  for (const member of readdirSync(join(into, "DEBIAN"))) {
    if (member !== "control") renameSync(join(into, "DEBIAN", member), join(info, `${name}.${member}`));
  }
  rmSync(join(into, "DEBIAN"), { recursive: true });
}

describe("equivalence with the unpacked tree, on real data", () => {
  it("a real .deb (isc-dhcp-client) gives the same scan as its unpacked tree", async () => {
    const deb = cachedDeb("isc-dhcp-client");
    const unpacked = join(dir, "isc-dhcp-client");
    unpackDeb(deb, unpacked);
    const fromDeb = await scanPath(deb);
    const fromTree = await scanPath(unpacked);
    expect(fromDeb.scripts.map((s) => s.path)).toEqual(
      expect.arrayContaining(["sbin/dhclient-script", "var/lib/dpkg/info/isc-dhcp-client.postinst", "var/lib/dpkg/info/isc-dhcp-client.postrm"]),
    );
    expect(summary(fromDeb)).toEqual(summary(fromTree));
  });

  it("a tarball of the Debian 12 sysvinit corpus gives the same scan as the tree", async () => {
    const rootfs = await ensureCorpus("debian-12-sysvinit");
    const tarball = join(CACHE, "debian-12-sysvinit.tar.gz");
    const stamp = join(dirname(rootfs), "stamp.json");
    // Remade when the corpus was rebuilt after it.
    if (!existsSync(tarball) || statSync(tarball).mtimeMs < statSync(stamp).mtimeMs) {
      const tmp = `${tarball}.tmp-${process.pid}`;
      const r = spawnSync("tar", ["-C", rootfs, "-czf", tmp, "."], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`tar failed: ${r.stderr}`);
      renameSync(tmp, tarball);
    }
    const fromTar = await scanPath(tarball);
    const fromTree = await scanPath(rootfs);
    expect(fromTar.scripts.length).toBeGreaterThan(150);
    expect(summary(fromTar)).toEqual(summary(fromTree));
  }, 900_000);
});
