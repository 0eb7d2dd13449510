import type { RootfsRule } from "../../src/engine/rule.js";
import { RESOLV_CONF, resolvWriters, suggestedResolvTarget } from "../../src/rootfs/resolv.js";

export const rule: RootfsRule = {
  kind: "rootfs",
  id: "ROR203",
  name: "resolv-conf-not-redirectable",
  level: "warning",
  summary: "/etc/resolv.conf is a regular file while something installed rewrites it at runtime.",
  description:
    "/etc/resolv.conf is a regular file, is missing, or links to a place that is not writable, while a DHCP client, resolvconf, NetworkManager or a network hook rewrites it at runtime. On a read-only root the new name servers cannot be written; make it a symlink into a writable place such as /run.",
  tags: ["read-only-root", "etc", "network", "dns"],
  precision: "high",
  check(ctx) {
    const { view, facts } = ctx;
    const writers = resolvWriters(view, facts.runtimeWrites, (p) => facts.resolve(p));
    if (writers.length === 0) return;
    const link = view.resolve(RESOLV_CONF, false);
    const entry = link.entry;
    let state: string;
    if (entry?.type === "symlink") {
      const r = view.resolve(RESOLV_CONF);
      if (!r.error && facts.isWritable(r.path)) return;
      state = r.error ? `is a symlink loop` : `links to ${r.path}, which is not writable at runtime`;
    } else if (!entry) {
      // A tmpfiles.d line may make the link at boot (`L /etc/resolv.conf - - - - ../run/...`).
      const made = facts.tmpfiles.find((l) => l.type.startsWith("L") && facts.resolve(l.path) === link.path);
      if (made && facts.isWritable(facts.resolve(made.argument.startsWith("/") ? made.argument : `/etc/${made.argument}`))) return;
      state = "is missing";
    } else state = entry.type === "file" ? "is a regular file" : "is not a file or a symlink";
    const names = writers.map((w) => w.name);
    const shown = names.length > 3 ? `${names.slice(0, 3).join(", ")} and ${names.length - 3} more` : names.join(", ");
    ctx.report(
      { path: link.path, line: 1, column: 1, endColumn: 1 },
      `${RESOLV_CONF} ${state}, but ${shown} rewrite${writers.length === 1 ? "s" : ""} it at runtime. On a read-only root the new name servers cannot be written; make it a symlink into a writable place: "ln -sf ${suggestedResolvTarget(writers)} ${RESOLV_CONF}".`,
    );
  },
};
