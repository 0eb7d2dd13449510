import type { RootfsRule } from "../../src/engine/rule.js";

export const rule: RootfsRule = {
  kind: "rootfs",
  id: "ROR204",
  name: "root-not-mounted-ro",
  level: "note",
  summary: "/etc/fstab has no entry for /, or the entry does not ask for ro.",
  description:
    "/etc/fstab has no entry for the root filesystem, or its entry lacks the ro option, so the image does not ask for a read-only root. This is the switch the recommendation tells users to flip: add ro to the options of the / line.",
  tags: ["read-only-root", "fstab", "readiness"],
  precision: "very-high",
  async check(ctx) {
    const fstab = await ctx.view.readText("/etc/fstab");
    const at = { path: fstab.path, line: 1, column: 1, endColumn: 1 };
    if (!fstab.ok) {
      ctx.report(at, `/etc/fstab ${fstab.code === "missing" ? "is missing" : `cannot be read (${fstab.reason})`}, so nothing asks for a read-only root. Add an entry for / with the ro option, e.g. "LABEL=root / ext4 ro 0 1".`);
      return;
    }
    // libmount, like mount(8), takes the last entry for a mount point.
    const root = ctx.facts.fstab.filter((e) => e.file === "/").at(-1);
    if (!root) {
      ctx.report(at, `/etc/fstab has no entry for /, so the root's mode depends on the kernel command line and the boot scripts. Add one with the ro option, e.g. "LABEL=root / ext4 ro 0 1".`);
      return;
    }
    if (root.options.includes("ro")) return;
    ctx.report(
      { path: fstab.path, line: root.line, column: root.column, endColumn: root.endColumn },
      `The fstab entry for / has the options "${root.options.join(",")}", without ro: the root is mounted read-write. Add ro to its options ("${["ro", ...root.options.filter((o) => o !== "rw" && o !== "defaults")].join(",")}") once the image is ready for a read-only root.`,
    );
  },
};
