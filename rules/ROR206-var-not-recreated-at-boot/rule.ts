import type { RootfsRule } from "../../src/engine/rule.js";
import { factoryLine, tmpfilesLinesFor, varNeeds } from "../../src/rootfs/var.js";

export const rule: RootfsRule = {
  kind: "rootfs",
  id: "ROR206",
  name: "var-not-recreated-at-boot",
  level: "warning",
  summary: "A directory under /var in the image is not recreated when /var starts empty.",
  description:
    "The image ships a directory (or link) under /var that no tmpfiles.d line, service directory setting, boot script or rwtab entry recreates. With /var on a tmpfs or a fresh partition it is gone, and the programs that expect it fail. Declare it in tmpfiles.d.",
  tags: ["read-only-root", "var", "tmpfiles", "fhs"],
  precision: "high",
  check(ctx) {
    const { view } = ctx;
    for (const need of varNeeds(view, ctx.facts)) {
      const lines = tmpfilesLinesFor(view, need);
      const suggestion = lines.length === 1 ? `"${lines[0]}"` : `${lines.length} lines such as "${lines[0]}"`;
      // On a boot that does not apply tmpfiles.d, the lines need a runner (or a boot script's mkdir -p).
      const runner = ctx.facts.tmpfilesRunner === null ? `, and have a boot script apply tmpfiles.d (nothing in this tree does) or "mkdir -p" it` : "";
      const fix = `Add ${suggestion} to a file in /usr/lib/tmpfiles.d or /etc/tmpfiles.d${runner}`;
      if (need.kind === "skeleton") {
        const names = need.members.map((m) => m.replace(/^\/var\//, ""));
        ctx.report(
          { path: need.path, line: 1, column: 1, endColumn: 1 },
          `The skeleton of /var (${names.join(", ")}) is not recreated when /var starts empty: nothing in the image declares ${names.length === 1 ? "it" : "them"}, and boot scripts may not assume they exist. ${fix}.`,
        );
        continue;
      }
      const what = need.kind === "link" ? "link" : "directory";
      const content = need.files > 0 ? ` Its ${need.files} file${need.files === 1 ? " is" : "s are"} lost too; if the program cannot recreate ${need.files === 1 ? "it" : "them"}, ship ${need.files === 1 ? "it" : "them"} under /usr/share/factory${need.path} and use "${factoryLine(need)}".` : "";
      ctx.report(
        { path: need.path, line: 1, column: 1, endColumn: 1 },
        `The ${what} ${need.path} is in the image, but nothing recreates it when /var starts empty (no tmpfiles.d line, StateDirectory=, boot script mkdir or rwtab entry): programs that expect it fail. ${fix}.${content}`,
      );
    }
  },
};
