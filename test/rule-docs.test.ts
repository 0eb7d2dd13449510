/**
 * Every rule page (rules/<ID>-<name>/docs.md) has the shape `rorlint
 * explain`, SARIF help and the status page rely on: the title, the default
 * level, and the sections in order, none empty, with code where code is due.
 */
import { describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { RULES } from "../rules/index.js";
import { ROOT, runCli } from "./helpers.js";

const SECTIONS = ["## Why this breaks a read-only root", "## Problematic code", "## Correct code", "## Exceptions", "## References"];
const CODE_SECTIONS = new Set(["## Problematic code", "## Correct code"]);

const dirs = readdirSync(join(ROOT, "rules"), { withFileTypes: true })
  .filter((d) => d.isDirectory() && /^ROR\d{3}-[a-z0-9-]+$/.test(d.name))
  .map((d) => d.name)
  .sort();

/** The body of each `## ` section, by heading. */
function sections(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let heading: string | null = null;
  let body: string[] = [];
  let fenced = false;
  for (const line of text.split("\n")) {
    if (/^(```|~~~)/.test(line)) fenced = !fenced;
    if (!fenced && line.startsWith("## ")) {
      if (heading) out.set(heading, body.join("\n"));
      heading = line.trim();
      body = [];
    } else if (heading) body.push(line);
  }
  if (heading) out.set(heading, body.join("\n"));
  return out;
}

describe("rule pages", () => {
  it("every registered rule has a page", () => {
    for (const r of RULES) expect(existsSync(join(ROOT, "rules", `${r.id}-${r.name}`, "docs.md")), `${r.id}-${r.name}/docs.md`).toBe(true);
  });

  for (const dir of dirs) {
    const [, id, name] = /^(ROR\d{3})-(.+)$/.exec(dir)!;
    const file = join(ROOT, "rules", dir, "docs.md");
    describe(dir, () => {
      it("has docs.md", () => expect(existsSync(file)).toBe(true));
      if (!existsSync(file)) return;
      const text = readFileSync(file, "utf8");

      it("starts with the title `# <ID> <name>`", () => {
        expect(text.split("\n")[0]).toBe(`# ${id} ${name}`);
      });

      it("gives the default level, matching the rule's", () => {
        const m = /^Default level: (error|warning|note)$/m.exec(text);
        expect(m, "a `Default level: error|warning|note` line").not.toBeNull();
        const rule = RULES.find((r) => r.id === id);
        // A page may land before its rule is registered; once it is, they must agree.
        if (rule) {
          expect(rule.name).toBe(name);
          expect(m![1]).toBe(rule.level);
        }
      });

      it("has the sections in order, each non-empty, code sections with a fenced block", () => {
        const found = [...text.matchAll(/^## .+$/gm)].map((m) => m[0].trim()).filter((h) => SECTIONS.includes(h));
        expect(found).toEqual(SECTIONS);
        const body = sections(text);
        for (const s of SECTIONS) {
          const content = body.get(s) ?? "";
          expect(content.trim(), `${s} is empty`).not.toBe("");
          if (CODE_SECTIONS.has(s)) expect(content, `${s} has no fenced code block`).toMatch(/^(```|~~~)[^\n]*\n[\s\S]*?\n(```|~~~)\s*$/m);
        }
      });

      it("has an introduction between the title and the first section", () => {
        const intro = text.slice(text.indexOf("\n"), text.indexOf("\n## ")).replace(/^Default level:.*$/m, "");
        expect(intro.trim()).not.toBe("");
      });
    });
  }
});

describe("rorlint explain", () => {
  for (const r of RULES) {
    it(`prints ${r.id}'s page, by id and by name`, () => {
      const page = readFileSync(join(ROOT, "rules", `${r.id}-${r.name}`, "docs.md"), "utf8");
      const byId = runCli(["explain", r.id]);
      expect(byId.status).toBe(0);
      expect(byId.stdout).toBe(page);
      expect(runCli(["explain", r.name]).stdout).toBe(page);
    });
  }

  it("rorlint rules lists every rule with its level", () => {
    const out = runCli(["rules"]).stdout;
    for (const r of RULES) expect(out).toMatch(new RegExp(`^${r.id} +${r.name} +${r.level} +\\S`, "m"));
  });
});
