import type { RootfsRule } from "../../src/engine/rule.js";
import { createsPath } from "../../src/rootfs/tmpfiles.js";

const GOOD_TARGETS = new Set(["/proc/self/mounts", "/proc/mounts"]);

export const rule: RootfsRule = {
  kind: "rootfs",
  id: "ROR202",
  name: "mtab-not-proc-symlink",
  level: "error",
  summary: "/etc/mtab is not a symlink to /proc/self/mounts.",
  description:
    "/etc/mtab is missing, a regular file, or a symlink elsewhere, and no tmpfiles.d line creates the link. Tools that update /etc/mtab fail on a read-only root, and a stale copy lies about what is mounted. Ship it as a symlink to /proc/self/mounts.",
  tags: ["read-only-root", "etc", "mount"],
  precision: "very-high",
  check(ctx) {
    const entry = ctx.view.lstat("/etc/mtab");
    if (entry?.type === "symlink") {
      const r = ctx.view.resolve("/etc/mtab");
      if (GOOD_TARGETS.has(r.path)) return;
    }
    // tmpfiles.d makes the link at boot: `L+` replaces whatever is there, a plain `L` only fills a gap.
    if (ctx.facts.tmpfiles.some((l) => l.path === "/etc/mtab" && l.type.startsWith("L") && createsPath(l) && (l.force || !entry))) return;
    const state = !entry
      ? "is missing"
      : entry.type === "symlink"
        ? `is a symlink to ${entry.target}`
        : entry.type === "file"
          ? "is a regular file"
          : "is not a symlink";
    ctx.report({ path: "/etc/mtab", line: 1, column: 1, endColumn: 1 }, `/etc/mtab ${state}: it should be a symlink to /proc/self/mounts. Tools that update /etc/mtab fail on a read-only root; ship "ln -s ../proc/self/mounts /etc/mtab" in the image.`);
  },
};
