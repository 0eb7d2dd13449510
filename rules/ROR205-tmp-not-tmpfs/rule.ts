import type { RootfsRule } from "../../src/engine/rule.js";
import { relative } from "../../src/fs/view.js";
import { isUnder } from "../../src/rootfs/facts.js";

export const rule: RootfsRule = {
  kind: "rootfs",
  id: "ROR205",
  name: "tmp-not-tmpfs",
  level: "note",
  summary: "Nothing mounts a tmpfs (or another writable filesystem) on /tmp.",
  description:
    "No fstab line mounts /tmp, no enabled tmp.mount unit does, /etc/default/tmpfs does not set RAMTMP=yes, and no boot script mounts a tmpfs on /tmp when the root is read-only. With a read-only root, /tmp is then read-only too and nearly every program that makes a temporary file fails.",
  tags: ["read-only-root", "tmp", "fstab", "readiness"],
  precision: "high",
  async check(ctx) {
    const { facts, view } = ctx;
    const tmp = facts.resolve("/tmp");
    const area = facts.writable.areaFor(tmp);
    // Anything but the FHS default decides: an fstab line, a mount unit, RAMTMP=yes, a boot script's tmpfs, a tmpfs that /tmp links into.
    if (area && area.source !== "fhs" && area.source !== "kernel" && area.writable) return;
    // /run (and /dev/shm) is a tmpfs that the initramfs or the init system always mounts.
    if (area && area.source === "kernel") return;
    if (isUnder(tmp, "/run")) return;
    // /tmp as a link into another writable place (/var/tmp on a writable /var).
    if (tmp !== "/tmp" && area?.writable) return;
    const fstabLine = facts.fstab.filter((e) => facts.resolve(e.file) === tmp).at(-1);
    const how = area && area.source !== "fhs" && !area.writable && area.decidedAt ? ` (${area.detail} at ${relative(area.decidedAt.path)}:${area.decidedAt.line})` : "";
    const where = tmp === "/tmp" ? "/tmp" : `/tmp (${tmp})`;
    const fix = `add "tmpfs /tmp tmpfs nosuid,nodev,mode=1777 0 0" to /etc/fstab${facts.init.system === "systemd" ? " or enable tmp.mount" : ""}`;
    if (fstabLine) {
      const state = fstabLine.options.includes("ro") ? "is mounted read-only" : fstabLine.options.includes("noauto") ? "is not mounted at boot (noauto)" : "is not mounted writable";
      ctx.report({ path: "/etc/fstab", line: fstabLine.line, column: fstabLine.column, endColumn: fstabLine.endColumn }, `${where} ${state} by this /etc/fstab line: on a read-only root nothing can make a temporary file. Mount it read-write at boot, preferably as a tmpfs.`);
      return;
    }
    const fstab = await view.readText("/etc/fstab");
    ctx.report(
      { path: fstab.path, line: 1, column: 1, endColumn: 1 },
      `Nothing mounts a tmpfs on ${where}${how}: no /etc/fstab line, no enabled tmp.mount, no RAMTMP=yes, no boot script that does it when the root is read-only. With a read-only root, /tmp is read-only too; ${fix}.`,
    );
  },
};
