/** Shared test helpers: temporary trees, scans and CLI runs. */
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const BIN = join(ROOT, "bin", "rorlint.js");

export type TreeSpec = Record<string, string | { symlink: string } | { dir: true }>;

/** Writes a tree into a new temporary directory and returns its path. */
export function makeTree(spec: TreeSpec, prefix = "rorlint-test-"): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  for (const [rel, content] of Object.entries(spec)) {
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    if (typeof content === "string") writeFileSync(p, content, { mode: 0o755 });
    else if ("symlink" in content) symlinkSync(content.symlink, p);
    else mkdirSync(p, { recursive: true });
  }
  return root;
}

/** A minimal root filesystem skeleton (so the scan treats the tree as a root). */
export const SKELETON: TreeSpec = {
  "etc/os-release": 'NAME="rorlint test tree"\nID=rorlint-test\n',
  "usr/bin": { dir: true },
  "etc/fstab": "/dev/sda1 / ext4 ro 0 1\ntmpfs /tmp tmpfs nosuid,nodev 0 0\n",
  "etc/mtab": { symlink: "../proc/self/mounts" },
};

export function removeTree(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1", ...env }, cwd: ROOT });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
