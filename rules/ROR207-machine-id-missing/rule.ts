import type { RootfsRule } from "../../src/engine/rule.js";

export const rule: RootfsRule = {
  kind: "rootfs",
  id: "ROR207",
  name: "machine-id-missing",
  level: "error",
  summary: "A systemd root filesystem has no /etc/machine-id (an empty file is correct).",
  description:
    "systemd is the init, but /etc/machine-id does not exist. With a read-only root systemd cannot create it, and without a file it has nothing to mount a transient ID over: the boot goes on without a machine ID. Ship an empty /etc/machine-id.",
  tags: ["read-only-root", "etc", "systemd"],
  precision: "very-high",
  check(ctx) {
    const { view, facts } = ctx;
    if (facts.init.system !== "systemd") return;
    const link = view.resolve("/etc/machine-id", false);
    const r = view.resolve("/etc/machine-id");
    if (!r.error && r.entry?.type === "file") return;
    const state = !link.entry ? "is missing" : link.entry.type === "symlink" ? `is a symlink to ${link.entry.target}, which ${r.error ? "loops" : "does not lead to a file in the image"}` : "is not a regular file";
    ctx.report(
      { path: link.path, line: 1, column: 1, endColumn: 1 },
      `systemd is the init (${facts.init.evidence}), but /etc/machine-id ${state}. On a read-only root systemd can neither write one nor mount a transient ID over it; ship an empty file: ": > /etc/machine-id".`,
    );
  },
};
