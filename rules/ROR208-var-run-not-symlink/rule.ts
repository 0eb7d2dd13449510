import type { RootfsRule } from "../../src/engine/rule.js";

const LINKS: [string, string][] = [
  ["/var/run", "/run"],
  ["/var/lock", "/run/lock"],
];

export const rule: RootfsRule = {
  kind: "rootfs",
  id: "ROR208",
  name: "var-run-not-symlink",
  level: "warning",
  summary: "/var/run or /var/lock is not a symlink to /run or /run/lock.",
  description:
    "/var/run is not a symlink to /run, or /var/lock is not a symlink to /run/lock. PID files, locks and sockets written there land on the read-only root, or in a directory that a later /var mount hides. Make both links into the /run tmpfs.",
  tags: ["read-only-root", "var", "run"],
  precision: "very-high",
  check(ctx) {
    const { view, facts } = ctx;
    if (view.resolve("/var").entry?.type !== "dir") return;
    for (const [path, want] of LINKS) {
      const link = view.resolve(path, false);
      const entry = link.entry;
      if (entry?.type === "symlink") {
        const r = view.resolve(path);
        if (!r.error && r.path === want) continue;
      }
      // tmpfiles.d makes the link at boot: `L+` replaces a directory, a plain `L` only fills a gap.
      if (facts.tmpfiles.some((l) => l.type.startsWith("L") && facts.resolve(l.path) === link.path && (l.force || !entry))) continue;
      const state = !entry ? "is missing" : entry.type === "symlink" ? `is a symlink to ${entry.target}` : entry.type === "dir" ? "is a directory" : "is not a symlink";
      const relativeTarget = want === "/run" ? "../run" : "../run/lock";
      ctx.report(
        { path: link.path, line: 1, column: 1, endColumn: 1 },
        `${path} ${state}: it should be a symlink to ${want}, the tmpfs that is writable from the first moment of boot. Ship "ln -s ${relativeTarget} ${path}" in the image.`,
      );
    }
  },
};
