/**
 * The index behind a filesystem view (`src/fs/tree.ts`): what it holds is
 * what the tree holds (compared with a plain recursive lstat), lookups and
 * resolution work on it alone, and a directory view reads sizes and modes
 * only when they are asked for.
 */
import { describe, expect, it } from "vitest";
import { appendFileSync, chmodSync, lstatSync, mkdirSync, readdirSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openDirectory } from "../src/fs/dir.js";
import { memoryView } from "../src/fs/memory.js";
import { FsView, type Entry, type EntryInit } from "../src/fs/view.js";
import { makeTree, removeTree, ROOT } from "./helpers.js";

/** Every entry below `root` by a plain recursive walk: path, type, size, mode, target. */
function plainWalk(root: string, rel = "", out = new Map<string, string>()): Map<string, string> {
  for (const name of readdirSync(join(root, rel))) {
    const path = `${rel}/${name}`;
    const st = lstatSync(join(root, path));
    const type = st.isFile() ? "file" : st.isDirectory() ? "dir" : st.isSymbolicLink() ? "symlink" : "other";
    out.set(path, `${type} ${st.size} ${(st.mode & 0o7777).toString(8)} ${type === "symlink" ? readlinkSync(join(root, path)) : ""}`);
    if (type === "dir") plainWalk(root, path, out);
  }
  return out;
}

const describeEntry = (e: Entry) => `${e.type} ${e.size} ${e.mode.toString(8)} ${e.target ?? ""}`;

describe("the index of a directory", () => {
  it("holds what a plain walk finds, in name order, parents first", async () => {
    const root = join(ROOT, "corpora", "sample");
    const view = await openDirectory(root);
    const all = [...view.entries()];
    expect(all[0]!.path).toBe("/");
    const found = new Map(all.slice(1).map((e) => [e.path, describeEntry(e)]));
    expect(found).toEqual(plainWalk(root));
    // Each directory's children, sorted as Array.prototype.sort sorts names.
    for (const e of all) if (e.type === "dir") expect(view.list(e.path)).toEqual(readdirSync(join(root, e.path)).sort());
    const seen = new Set<string>();
    for (const e of all) {
      if (e.path !== "/") expect(seen.has(e.path.slice(0, e.path.lastIndexOf("/")) || "/")).toBe(true);
      seen.add(e.path);
    }
  });

  it("reads a file's size and mode when first asked for, then keeps them", async () => {
    const root = makeTree({ "etc/init.d/svc": "#!/bin/sh\n", "etc/rc.local": "#!/bin/sh\n" });
    try {
      const view = await openDirectory(root);
      expect(view.lstat("/etc/init.d/svc")!.size).toBe(10);
      // Changed after the walk: the size already read stays; one not read yet is read now.
      appendFileSync(join(root, "etc/init.d/svc"), "echo\n");
      appendFileSync(join(root, "etc/rc.local"), "echo\n");
      chmodSync(join(root, "etc/rc.local"), 0o700);
      expect(view.lstat("/etc/init.d/svc")!.size).toBe(10);
      expect(view.lstat("/etc/rc.local")).toMatchObject({ type: "file", size: 15, mode: 0o700 });
      expect(await view.readText("/etc/init.d/svc")).toEqual({ ok: true, path: "/etc/init.d/svc", text: "#!/bin/sh\n" });
      chmodSync(join(root, "etc"), 0o750);
      expect(view.lstat("/etc")).toMatchObject({ type: "dir", mode: 0o750 });
    } finally {
      removeTree(root);
    }
  });

  it("reads size, mode and contents below a directory whose name is not UTF-8, by its bytes", async () => {
    const root = makeTree({ "etc/os-release": "ID=x\n" });
    try {
      const dir = Buffer.concat([Buffer.from(join(root, "etc/caf")), Buffer.from([0xe9])]);
      mkdirSync(dir);
      writeFileSync(Buffer.concat([dir, Buffer.from("/job")]), "#!/bin/sh\necho\n", { mode: 0o750 });
      const view = await openDirectory(root);
      expect(view.list("/etc/caf\u00e9")).toEqual(["job"]);
      expect(view.lstat("/etc/caf\u00e9/job")).toMatchObject({ type: "file", size: 15, mode: 0o750 });
      expect(await view.readText("/etc/caf\u00e9/job")).toMatchObject({ ok: true, text: "#!/bin/sh\necho\n" });
      expect(view.diagnostics).toEqual([expect.objectContaining({ path: "etc/caf\u00e9", code: "name-not-utf8" })]);
    } finally {
      removeTree(root);
    }
  });

  it("digests the index without a stat of each entry; records the sizes and modes a scan looks at", async () => {
    const root = makeTree({ "etc/a": "x\n", "usr/share/b": "y\n", "usr/share/c": "z\n" });
    try {
      const digest = async () => (await openDirectory(root)).indexDigest();
      const first = await digest();
      expect(await digest()).toBe(first);
      // A size or a mode is not part of the index's digest...
      chmodSync(join(root, "usr/share/b"), 0o600);
      appendFileSync(join(root, "usr/share/b"), "z\n");
      expect(await digest()).toBe(first);
      // ...entries and link targets are.
      writeFileSync(join(root, "usr/share/d"), "");
      const added = await digest();
      expect(added).not.toBe(first);
      symlinkSync("a", join(root, "etc/link"));
      expect(await digest()).not.toBe(added);
      // The sizes and modes looked at are recorded, once each, and checked again against the tree.
      const view = await openDirectory(root);
      const reads = view.recordReads();
      expect(view.lstat("/usr/share/b")?.mode).toBe(0o600);
      expect(view.lstat("/usr/share/b")?.size).toBe(4);
      expect(reads).toEqual([{ path: "/usr/share/b", stat: { size: 4, mode: 0o600 } }]);
      expect(view.readsAgainAs(reads[0]!)).toBe(true);
      chmodSync(join(root, "usr/share/b"), 0o644);
      expect(view.readsAgainAs(reads[0]!)).toBe(false);
    } finally {
      removeTree(root);
    }
  });
});

describe("lookups on the index", () => {
  const view = memoryView({
    "etc/init.d/rc": "#!/bin/sh\n",
    "etc/init.d/b": "#!/bin/sh\n",
    "etc/init.d/B": "#!/bin/sh\n",
    "etc/init.d/caf\u00e9": "#!/bin/sh\n",
    "etc/init.d/\u{1F600}": "#!/bin/sh\n",
    "etc/rc2.d/S01rc": { symlink: "../init.d/rc" },
    "etc/abs": { symlink: "/etc/init.d" },
    "etc/up": { symlink: "../../../../etc" },
    "etc/loop": { symlink: "loop" },
    "lib/x": "x",
  });

  it("lists, finds and iterates without following links", () => {
    expect(view.list("/etc/init.d")).toEqual(["B", "b", "caf\u00e9", "rc", "\u{1F600}"]);
    expect(view.list("/etc/abs")).toEqual(view.list("/etc/init.d"));
    expect(view.list("/etc/init.d/rc")).toEqual([]);
    expect(view.list("/nowhere")).toEqual([]);
    expect(view.lstat("/etc/abs")).toMatchObject({ path: "/etc/abs", type: "symlink", target: "/etc/init.d" });
    expect(view.lstat("/etc/abs/rc")).toBeUndefined();
    expect(view.lstat("//etc/./init.d/../init.d/\u{1F600}")).toMatchObject({ path: "/etc/init.d/\u{1F600}", type: "file", size: 10 });
    expect([...view.entries("/etc/rc2.d")].map((e) => e.path)).toEqual(["/etc/rc2.d", "/etc/rc2.d/S01rc"]);
    expect([...view.entries("/lib/x")].map((e) => e.path)).toEqual(["/lib/x"]);
    expect([...view.entries("/nowhere")]).toEqual([]);
    expect([...view.entries()].map((e) => e.path)).toEqual([
      "/",
      "/etc",
      "/lib",
      "/etc/abs",
      "/etc/init.d",
      "/etc/loop",
      "/etc/rc2.d",
      "/etc/up",
      "/lib/x",
      "/etc/init.d/B",
      "/etc/init.d/b",
      "/etc/init.d/caf\u00e9",
      "/etc/init.d/rc",
      "/etc/init.d/\u{1F600}",
      "/etc/rc2.d/S01rc",
    ]);
  });

  it("resolves inside the root", () => {
    expect(view.resolve("/etc/rc2.d/S01rc")).toMatchObject({ path: "/etc/init.d/rc", entry: { type: "file" }, via: ["/etc/rc2.d/S01rc"] });
    expect(view.resolve("/etc/rc2.d/S01rc", false)).toMatchObject({ path: "/etc/rc2.d/S01rc", entry: { type: "symlink" } });
    // (".." is taken lexically first, as by the shell: "/etc/abs/../abs" is "/etc/abs".)
    expect(view.resolve("/etc/abs/../abs/b")).toMatchObject({ path: "/etc/init.d/b", via: ["/etc/abs"] });
    expect(view.resolve("/etc/abs/b/../../rc2.d")).toMatchObject({ path: "/etc/rc2.d", via: [] });
    expect(view.resolve("/etc/up/../init.d/b")).toMatchObject({ path: "/etc/init.d/b", via: [] });
    expect(view.resolve("/etc/up/init.d/B")).toMatchObject({ path: "/etc/init.d/B", entry: { type: "file" } });
    expect(view.resolve("/etc/abs/missing/deeper")).toMatchObject({ path: "/etc/init.d/missing/deeper", entry: undefined });
    expect(view.resolve("/etc/loop/x").error).toMatch(/symlink loop/);
    expect(view.resolve("/")).toMatchObject({ path: "/", entry: { path: "/", type: "dir", mode: 0o755 } });
    expect(view.diagnostics).toEqual([{ path: "etc/up", code: "link-above-root", message: expect.stringContaining("climbs above the root") }]);
  });

  it("keeps the last entry given for a path, and entries below a file", () => {
    const entries: EntryInit[] = [
      { path: "/a", type: "file", size: 1, mode: 0o644 },
      { path: "a/x", type: "file", size: 2, mode: 0o600 },
      { path: "/b/c", type: "file", size: 3, mode: 0o644 },
      { path: "/b", type: "symlink", size: 0, mode: 0o777, target: "a" },
      { path: "/a", type: "file", size: 4, mode: 0o640, binary: true },
    ];
    const v = new FsView("test", entries, { read: async () => Buffer.alloc(0) });
    expect(v.lstat("/a")).toMatchObject({ size: 4, mode: 0o640, binary: true });
    expect(v.lstat("/a/x")).toMatchObject({ size: 2, mode: 0o600 });
    expect(v.list("/a")).toEqual([]);
    expect(v.lstat("/b/c")).toMatchObject({ size: 3 });
    expect(v.resolve("/b/c").path).toBe("/a/c");
    expect([...v.entries()].map((e) => e.path)).toEqual(["/", "/a", "/b", "/a/x", "/b/c"]);
  });
});
