/**
 * primaryLocationLineHash: the same values as GitHub's upload action
 * (vectors from github/codeql-action's own tests), stable when unrelated
 * lines are inserted above a finding.
 */
import { describe, expect, it } from "vitest";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { lineHash, lineHashes } from "../src/format/fingerprint.js";
import { scanPath } from "../src/scan.js";
import { formatSarif } from "../src/format/sarif.js";
import { makeTree, removeTree, ROOT } from "./helpers.js";

function all(text: string): string[] {
  const m = lineHashes(text);
  return [...m.keys()].sort((a, b) => a - b).map((k) => m.get(k)!);
}

describe("lineHashes", () => {
  it("hashes an empty text as one line", () => {
    expect(all("")).toEqual(["c129715d7a2bc9a3:1"]);
  });

  it("ignores spaces and tabs", () => {
    expect(all(" a\nb\n  \t\tc\n d")).toEqual(["271789c17abda88f:1", "54703d4cd895b18:1", "180aee12dab6264:1", "a23a3dc5e078b07b:1"]);
    expect(all(" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End")).toEqual([
      "8b7cf3e952e7aeb2:1",
      "b1ae1287ec4718d9:1",
      "bff680108adb0fcc:1",
      "c6805c5e1288b612:1",
      "b86d3392aea1be30:1",
      "e6ceba753e1a442:1",
    ]);
  });

  it("treats \\n, \\r and \\r\\n alike", () => {
    const expected = ["e9496ae3ebfced30:1", "fb7c023a8b9ccb3f:1", "ce8ba1a563dcdaca:1", "e20e36e16fcb0cc8:1", "b3edc88f2938467e:1", "c8e28b0b4002a3a0:1", "c129715d7a2bc9a3:1"];
    expect(all(" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n")).toEqual(expected);
    expect(all(" hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r")).toEqual(expected);
    expect(all(" hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n")).toEqual(expected);
    expect(all(" hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n")).toEqual(expected);
  });

  it("counts identical hashes", () => {
    expect(all("Lorem ipsum dolor sit amet.\n".repeat(10))).toEqual([
      "a7f2ff13bc495cf2:1",
      "a7f2ff13bc495cf2:2",
      "a7f2ff13bc495cf2:3",
      "a7f2ff13bc495cf2:4",
      "a7f2ff13bc495cf2:5",
      "a7f2ff13bc495cf2:6",
      "a7f2ff1481e87703:1",
      "a9cf91f7bbf1862b:1",
      "55ec222b86bcae53:1",
      "cc97dc7b1d7d8f7b:1",
      "c129715d7a2bc9a3:1",
    ]);
  });

  it("gives the same value when asked for some lines only", () => {
    const text = "Lorem ipsum dolor sit amet.\n".repeat(10) + "x\n";
    const full = lineHashes(text);
    const some = lineHashes(text, new Set([3, 7]));
    expect([...some.entries()].sort()).toEqual([
      [3, full.get(3)],
      [7, full.get(7)],
    ]);
    expect(lineHash(text, 5)).toBe("a7f2ff13bc495cf2:5");
    // Past the end: the last line's hash (as for a finding on line 1 of an empty file).
    expect(lineHash("", 1)).toBe("c129715d7a2bc9a3:1");
    expect(lineHash("a", 9)).toBe(lineHash("a", 1));
  });
});

describe("SARIF fingerprints across runs", () => {
  it("keep the same primaryLocationLineHash when unrelated lines are inserted above a finding", async () => {
    const tree = makeTree({});
    try {
      cpSync(join(ROOT, "corpora", "sample"), tree, { recursive: true, verbatimSymlinks: true });
      const hashesOf = async (): Promise<Map<string, string>> => {
        const sarif = JSON.parse(formatSarif([await scanPath(tree)], { category: "rorlint/fingerprint-test" })) as {
          runs: { results: { ruleId: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[]; partialFingerprints: Record<string, string> }[] }[];
        };
        const m = new Map<string, string>();
        for (const r of sarif.runs[0]!.results) {
          const loc = r.locations[0]!.physicalLocation;
          m.set(`${r.ruleId} ${loc.artifactLocation.uri} ${r.message.text}`, `${loc.region.startLine} ${r.partialFingerprints["primaryLocationLineHash"]}`);
        }
        return m;
      };
      const before = await hashesOf();
      const key = [...before.keys()].find((k) => k.startsWith("ROR101 etc/rc.sysinit "));
      expect(key, "the sample's ROR101 finding").toBeDefined();

      // Insert unrelated lines (comments, a harmless command, blank lines) after the #! line of the script.
      const file = join(tree, "etc", "rc.sysinit");
      const lines = readFileSync(file, "utf8").split("\n");
      lines.splice(1, 0, "# a comment that says nothing", "", "echo starting the system", "  # indented comment", "");
      writeFileSync(file, lines.join("\n"));
      const after = await hashesOf();

      const [lineBefore, hashBefore] = before.get(key!)!.split(" ");
      const [lineAfter, hashAfter] = after.get(key!)!.split(" ");
      expect(Number(lineAfter)).toBe(Number(lineBefore) + 5);
      expect(hashAfter).toBe(hashBefore);
      expect(hashAfter).toMatch(/^[0-9a-f]{1,16}:\d+$/);
      // Every finding of the file keeps its fingerprint.
      for (const [k, v] of before) if (k.includes(" etc/rc.sysinit ")) expect(after.get(k)!.split(" ")[1]).toBe(v.split(" ")[1]);
    } finally {
      removeTree(tree);
    }
  });
});
