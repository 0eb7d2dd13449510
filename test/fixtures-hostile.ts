/**
 * Hostile inputs, generated at test time (special files are never
 * committed): a root filesystem holding everything a broken or malicious
 * tree can contain, hostile tarballs and .debs, and the small writers
 * (tar, ar) that build them.
 *
 * Hostile entries sit where rorlint looks for scripts (etc/init.d,
 * etc/cron.daily, ...), so that the scan really touches them.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import * as tar from "tar-stream";
import { makeTree, SKELETON } from "./helpers.js";

/** A write under /etc on the given line: ROR105 in a periodic or boot script, so a finding proves the file was read. */
export const WRITE = "echo x > /etc/hostile-write";

/** Bytes 0xff and 0xfe: never valid UTF-8. */
export const BAD_NAME = Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe]); // "bad\xff\xfe"
/** How the view shows BAD_NAME: each byte as one Latin-1 character. */
export const BAD_NAME_SHOWN = "bad\u00ff\u00fe";

export const LOOP_LINKS = 40;
export const DEEP_LEVELS = 10_000;
export const HUGE_LINES = 200_000;
export const SPARSE_BYTES = 1024 ** 3;

export interface HostileTree {
  root: string;
  /** Items that this machine cannot create, with the reason (they are skipped visibly). */
  skipped: Map<string, string>;
  remove(): void;
}

/** Runs a command, returning why it failed (or null). */
function run(cmd: string, args: string[], cwd?: string): string | null {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8" });
  if (r.error) return `${cmd}: ${r.error.message}`;
  return r.status === 0 ? null : `${cmd} ${args.join(" ")}: ${r.stderr.trim() || `exit ${r.status}`}`;
}

/** Removes a tree that Node's rmSync cannot: 10,000 levels deep, with unreadable directories. */
export function removeHostile(path: string): void {
  spawnSync("chmod", ["-R", "u+rwx", path]);
  spawnSync("rm", ["-rf", path]);
}

/** A script of `lines` lines whose last line writes under /etc. */
/** Where `symbolsText` puts WRITE (1-based line). */
export const SYMBOLS_WRITE_LINE = 1001;

/**
 * A library's symbols file (dpkg's `.symbols` format: a header, then one
 * versioned symbol a line), 4,000 lines, with WRITE on one line: not shell,
 * and text on which tree-sitter's error recovery takes many seconds.
 */
export function symbolsText(): string {
  let seed = 1;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
  const name = () => Array.from({ length: 12 }, () => "abcdefghijklmnopqrstuvwxyz_"[next() % 27]).join("");
  const lines = ["libhostile.so.1 libhostile1 #MINVER#"];
  for (let i = 1; i < 4000; i++) lines.push(i + 1 === SYMBOLS_WRITE_LINE ? WRITE : ` ${name()}@HOSTILE_1.${next() % 30} ${1 + (next() % 3)}.${next() % 10}`);
  return lines.join("\n") + "\n";
}

export function hugeScript(lines: number): string {
  return "#!/bin/sh\n" + ": filler\n".repeat(lines - 2) + WRITE + "\n";
}

/**
 * Builds the hostile root filesystem:
 *
 * | path | what |
 * |---|---|
 * | etc/init.d/shadow | symlink to /etc/shadow (absent inside the root) |
 * | etc/init.d/climb | relative link climbing far past the root, to usr/share/hostile/climbed.sh |
 * | etc/init.d/loop | into a loop of 40 links (etc/loop/l01 -> ... -> l40 -> l01) |
 * | etc/init.d/fifo | a FIFO |
 * | etc/cron.daily/zero | character device 1,5 (/dev/zero: reading it never ends) |
 * | etc/init.d/sparse | a 1 GiB sparse file |
 * | etc/cron.weekly/ | a directory without read permission (holding a script) |
 * | etc/cron.daily/secret | a file without read permission |
 * | etc/cron.daily/bad\xff\xfe | a name that is not UTF-8 (a script with a finding) |
 * | deep/d/d/... | a chain of 10,000 directories |
 * | usr/sbin/dhclient-script | a shell script of 200,000 lines (a finding on the last) |
 * | etc/cron.daily/latin1 | a script with Latin-1 bytes (a finding on line 4) |
 */
export function makeHostileTree(): HostileTree {
  const root = makeTree(
    {
      ...SKELETON,
      "etc/init.d/shadow": { symlink: "/etc/shadow" },
      "etc/init.d/climb": { symlink: "../".repeat(16) + "usr/share/hostile/climbed.sh" },
      "usr/share/hostile/climbed.sh": "#!/bin/sh\necho harmless\n",
      "etc/init.d/loop": { symlink: "../loop/l01" },
      "etc/cron.weekly/job": `#!/bin/sh\n${WRITE}\n`,
      "etc/cron.daily/secret": `#!/bin/sh\n${WRITE}\n`,
      // Not shell at all, where init scripts are: parsing it whole would take many seconds.
      "etc/init.d/symbols": symbolsText(),
      "etc/rcS.d/S05symbols": { symlink: "../init.d/symbols" },
      // A network hook, outside etc/: a scan of etc/ alone stays quick.
      "usr/sbin/dhclient-script": hugeScript(HUGE_LINES),
    },
    "rorlint-hostile-",
  );
  // mkdtemp gives 0700; the tree is scanned by a less privileged process too.
  chmodSync(root, 0o755);
  const skipped = new Map<string, string>();
  const at = (rel: string) => join(root, rel);

  for (let i = 1; i <= LOOP_LINKS; i++) {
    const name = (n: number) => `l${String(n).padStart(2, "0")}`;
    mkdirSync(at("etc/loop"), { recursive: true });
    symlinkSync(name(i === LOOP_LINKS ? 1 : i + 1), at(`etc/loop/${name(i)}`));
  }
  const fifo = run("mkfifo", [at("etc/init.d/fifo")]);
  if (fifo) skipped.set("fifo", fifo);
  const device = run("mknod", [at("etc/cron.daily/zero"), "c", "1", "5"]);
  if (device) skipped.set("character device", device);

  const fd = openSync(at("etc/init.d/sparse"), "w");
  ftruncateSync(fd, SPARSE_BYTES);
  closeSync(fd);

  chmodSync(at("etc/cron.weekly"), 0o000);
  chmodSync(at("etc/cron.daily/secret"), 0o000);

  writeFileSync(Buffer.concat([Buffer.from(at("etc/cron.daily") + "/"), BAD_NAME]), `#!/bin/sh\n${WRITE}\n`, { mode: 0o755 });
  writeFileSync(at("etc/cron.daily/latin1"), Buffer.concat([Buffer.from("#!/bin/sh\n# caf"), Buffer.from([0xe9]), Buffer.from(" cr\xe8me\n\n" + WRITE + "\n", "latin1")]), { mode: 0o755 });

  // 10,000 levels: deeper than any path the host can name, so it is built one relative step at a time.
  mkdirSync(at("deep"));
  const deep = spawnSync(process.execPath, ["-e", `const fs = require("fs"); for (let i = 0; i < ${DEEP_LEVELS}; i++) { fs.mkdirSync("d"); process.chdir("d"); }`], { cwd: at("deep"), encoding: "utf8" });
  if (deep.status !== 0) throw new Error(`cannot build the deep chain: ${deep.stderr}`);

  return { root, skipped, remove: () => removeHostile(root) };
}

export type TarMember = Partial<tar.Header> & { name: string; data?: string | Buffer };

/** A tar archive of the given members, as written (names are not cleaned: that is the point). */
export async function tarArchive(members: TarMember[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on("data", (c) => chunks.push(c as Buffer));
    pack.on("end", resolve);
    pack.on("error", reject);
  });
  for (const { data, ...header } of members) {
    await new Promise<void>((resolve, reject) => pack.entry({ mode: 0o755, ...header }, data ?? "", (err) => (err ? reject(err) : resolve())));
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** An ar archive (the .deb container) of the given members. */
export function arArchive(members: { name: string; data: Buffer }[]): Buffer {
  const parts: Buffer[] = [Buffer.from("!<arch>\n")];
  for (const m of members) {
    const field = (value: string | number, width: number) => String(value).padEnd(width, " ");
    parts.push(Buffer.from(field(m.name + "/", 16) + field(0, 12) + field(0, 6) + field(0, 6) + field("100644", 8) + field(m.data.length, 10) + "`\n", "latin1"));
    parts.push(m.data);
    if (m.data.length % 2) parts.push(Buffer.from("\n"));
  }
  return Buffer.concat(parts);
}

/** A .deb: control.tar.gz with `control` and `scripts`, data.tar.gz with `files`. */
export async function debPackage(pkg: string, scripts: Record<string, string>, files: TarMember[], extraControl = ""): Promise<Buffer> {
  const control = await tarArchive([
    { name: "./", type: "directory" },
    { name: "./control", data: `Package: ${pkg}\nVersion: 1.0\nArchitecture: amd64\n${extraControl}Maintainer: nobody <nobody@example.org>\nDescription: test\n` },
    ...Object.entries(scripts).map(([name, data]) => ({ name: `./${name}`, data })),
  ]);
  return arArchive([
    { name: "debian-binary", data: Buffer.from("2.0\n") },
    { name: "control.tar.gz", data: gzipSync(control) },
    { name: "data.tar.gz", data: gzipSync(await tarArchive(files)) },
  ]);
}

/** Random text that does not compress: `bytes` long, no NUL. */
export function incompressibleText(bytes: number): string {
  let out = "";
  while (out.length < bytes) out += Math.random().toString(36).slice(2);
  return out.slice(0, bytes);
}

/** Members of a small tree with a big member in the middle: cutting the archive in half lands inside it. */
export function truncatableMembers(): TarMember[] {
  return [
    { name: "./etc/", type: "directory" },
    { name: "./usr/bin/", type: "directory" },
    { name: "./etc/cron.daily/early", data: `#!/bin/sh\n${WRITE}\n` },
    { name: "./etc/cron.daily/big", data: `#!/bin/sh\n# ${incompressibleText(400_000)}\n` },
    { name: "./etc/cron.daily/late", data: `#!/bin/sh\n${WRITE}\n` },
  ];
}

/** Writes `bytes` cut to `fraction` of their length into `dir/name`; returns the path. */
export function writeTruncated(dir: string, name: string, bytes: Buffer, fraction: number): string {
  const path = join(dir, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length * fraction)));
  return path;
}

export function tempDir(prefix = "rorlint-archive-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
