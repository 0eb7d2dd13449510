/**
 * rorlint never reads outside the scanned root: absolute link targets are
 * re-rooted, so a link whose host target differs from its in-root target
 * is judged by the in-root file.
 */
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scanPath } from "../src/scan.js";
import { makeTree, removeTree, SKELETON } from "./helpers.js";

const host = mkdtempSync(join(tmpdir(), "rorlint-host-"));
const HOSTILE = "#!/bin/sh\nmount -o remount,rw /\necho x > /etc/owned\n";
writeFileSync(join(host, "boot.sh"), HOSTILE);
writeFileSync(join(host, "functions"), "helper() {\n  echo x > /etc/from-host\n}\n");

const root = makeTree({
  ...SKELETON,
  // Absolute links: on the host they lead to the hostile files.
  "etc/init.d/early": { symlink: join(host, "boot.sh") },
  "etc/rcS.d/S01early": { symlink: "../init.d/early" },
  "lib/host": { symlink: host },
  // Inside the root, the same absolute paths hold harmless files.
  [join(host, "boot.sh").slice(1)]: "#!/bin/sh\necho harmless\n",
  [join(host, "functions").slice(1)]: "helper() {\n  echo x > /run/harmless\n}\n",
  "etc/rc.local": "#!/bin/sh\n. /lib/host/functions\nhelper\n",
  // A relative link climbing past the root stops at the root.
  "etc/init.d/climb": { symlink: "../../../../../../../../" + join(host, "boot.sh").slice(1) },
  "etc/rcS.d/S02climb": { symlink: "../init.d/climb" },
});

afterAll(() => {
  removeTree(root);
  removeTree(host);
});

describe("containment", () => {
  it("re-roots absolute and climbing links instead of following them on the host", async () => {
    const result = await scanPath(root);
    expect(result.findings.filter((f) => f.ruleId.startsWith("ROR1"))).toEqual([]);
    // The links were resolved to the in-root copies, which were read and parsed.
    const early = result.scripts.find((s) => s.path === join(host, "boot.sh").slice(1));
    expect(early?.roles).toContain("boot");
  });

  it("still finds problems in the in-root files", async () => {
    writeFileSync(join(root, join(host, "functions").slice(1)), "helper() {\n  echo x > /etc/in-root\n}\n");
    const result = await scanPath(root);
    expect(result.findings.map((f) => `${f.ruleId} ${f.path}:${f.line}`)).toEqual([`ROR105 ${join(host, "functions").slice(1)}:2`]);
  });
});
