/**
 * `rorlint status --github` against a local stand-in for GitHub's code
 * scanning API (node:http on 127.0.0.1, a random port) that serves the open
 * rorlint alerts of two repositories, two pages each, linked with Link
 * headers as GitHub does. A third repository answers 404 and is skipped.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:http";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { runStatus } from "../src/commands/status.js";
import { runCli } from "./helpers.js";

const TOKEN = "ghs_StatusTestTokenNeverShown0123456789";
const work = mkdtempSync(join(tmpdir(), "rorlint-status-test-"));

interface Seen {
  path: string;
  query: Record<string, string>;
  authorization?: string;
}

let server: Server;
let api: string;
const seen: Seen[] = [];

function alert(n: number, ruleId: string, severity: string, path: string, line: number, message: string, repo: string) {
  return {
    number: n,
    html_url: `https://github.example/acme/${repo}/security/code-scanning/${n}`,
    state: "open",
    rule: { id: ruleId, name: "", severity, description: "" },
    tool: { name: "rorlint", version: "0.1.0" },
    most_recent_instance: { state: "open", message: { text: message }, location: { path, start_line: line, end_line: line, start_column: 1, end_column: 30 } },
  };
}

/** Alerts per repository, served two per page. */
const ALERTS: Record<string, ReturnType<typeof alert>[]> = {
  "debian-foo": [
    alert(1, "ROR104", "warning", "debian/foo.init", 42, "Writes the hardware clock and /etc/adjtime (hwclock --systohc) without the user asking for it.", "debian-foo"),
    alert(2, "ROR102", "warning", "debian/foo.init", 60, 'Writes into /var/lib/foo, which is not created on every path before this write. /var may start empty; run "mkdir -p /var/lib/foo" first.', "debian-foo"),
    alert(3, "ROR102", "warning", "debian/foo.cron.daily", 5, 'Writes into /var/lib/foo, which is not created on every path before this write. /var may start empty; run "mkdir -p /var/lib/foo" first.', "debian-foo"),
  ],
  "bar-pkg": [
    alert(7, "ROR105", "error", "debian/bar.postinst", 9, "Writes /etc/bar.conf under /etc at runtime (sed -i). /etc is read-only.", "bar-pkg"),
    alert(8, "ROR105", "error", "debian/bar.if-up", 12, "Writes /etc/bar.state under /etc at runtime (>). /etc is read-only.", "bar-pkg"),
    alert(9, "ROR103", "error", "debian/bar.if-up", 20, "Replaces /etc/resolv.conf (mv) instead of writing through it.", "bar-pkg"),
    alert(10, "ROR103", "error", "debian/bar.if-up", 31, "Replaces /etc/resolv.conf (mv) instead of writing through it.", "bar-pkg"),
  ],
};
const PER_PAGE = 2;

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    seen.push({ path: url.pathname, query: Object.fromEntries(url.searchParams), ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
    const m = /^\/repos\/acme\/([^/]+)\/code-scanning\/alerts$/.exec(url.pathname);
    const all = m ? ALERTS[m[1]!] : undefined;
    if (!m || !all || req.method !== "GET") {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: "Not Found", documentation_url: "https://docs.github.com/rest" }));
      return;
    }
    const page = Number(url.searchParams.get("page") ?? "1");
    const pages = Math.ceil(all.length / PER_PAGE);
    const link = (p: number) => {
      const u = new URL(url.href.replace("http://127.0.0.1", api));
      u.searchParams.set("page", String(p));
      return u.href;
    };
    const rels: string[] = [];
    if (page < pages) rels.push(`<${link(page + 1)}>; rel="next"`, `<${link(pages)}>; rel="last"`);
    if (page > 1) rels.push(`<${link(1)}>; rel="first"`, `<${link(page - 1)}>; rel="prev"`);
    res.writeHead(200, { "content-type": "application/json; charset=utf-8", ...(rels.length ? { link: rels.join(", ") } : {}) });
    res.end(JSON.stringify(all.slice((page - 1) * PER_PAGE, page * PER_PAGE)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(work, { recursive: true, force: true });
});

describe("rorlint status --github", () => {
  it("aggregates paginated alerts of two repositories into the matrix; a missing one is skipped", async () => {
    const out = join(work, "out");
    const errors: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => {
      errors.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    let code: number;
    try {
      code = await runStatus({ github: "acme/debian-foo,acme/bar-pkg,acme/missing", out, date: "2025-02-03", retryBaseMs: "0" }, { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: api });
    } finally {
      process.stderr.write = write;
    }
    expect(code).toBe(0);

    // Both repositories were read to their last page, asking for rorlint's open alerts, with the token.
    for (const repo of ["debian-foo", "bar-pkg"]) {
      const reqs = seen.filter((s) => s.path === `/repos/acme/${repo}/code-scanning/alerts`);
      expect(reqs.map((r) => r.query["page"] ?? "1")).toEqual(["1", "2"]);
      for (const r of reqs) {
        expect(r.query["state"]).toBe("open");
        expect(r.query["tool_name"]).toBe("rorlint");
        expect(r.authorization).toBe(`token ${TOKEN}`);
      }
    }
    expect(errors.join("")).toMatch(/acme\/missing: skipped: GitHub answered 404/);

    // The matrix, as data: one target per repository, named after it.
    const summary = JSON.parse(readFileSync(join(out, "site", "data", "summary.json"), "utf8"));
    const rows = Object.fromEntries(summary.targets.map((t: { target: string; counts: Record<string, number>; total: number; title: string }) => [t.target, { title: t.title, total: t.total, counts: t.counts }]));
    expect(rows).toEqual({
      "bar-pkg": { title: "acme/bar-pkg", total: 4, counts: { ROR103: 2, ROR105: 2 } },
      "debian-foo": { title: "acme/debian-foo", total: 3, counts: { ROR102: 2, ROR104: 1 } },
    });

    // The matrix, as the page shows it.
    const index = readFileSync(join(out, "site", "index.html"), "utf8");
    const cell = (target: string, rule: string) => new RegExp(`<tr data-target="${target}">[\\s\\S]*?<td class="count[^"]*" data-rule="${rule}">(?:<a [^>]*>)?([^<]+)`).exec(index)?.[1];
    expect(cell("debian-foo", "ROR102")).toBe("2");
    expect(cell("debian-foo", "ROR104")).toBe("1");
    expect(cell("debian-foo", "ROR105")).toBe("·");
    expect(cell("bar-pkg", "ROR105")).toBe("2");
    expect(cell("bar-pkg", "ROR103")).toBe("2");
    expect(index).not.toMatch(/data-target="missing"/);

    // Findings keep their alert's place and link; the report reads like the others.
    const page = readFileSync(join(out, "site", "targets", "debian-foo.html"), "utf8");
    expect(page).toContain("debian/foo.init:42:1");
    expect(page).toContain('href="https://github.example/acme/debian-foo/security/code-scanning/1"');
    const md = readFileSync(join(out, "debian-foo.md"), "utf8");
    expect(md.split("\n")[0]).toBe("# acme/debian-foo issues");
    expect(md).toContain("Tested on 2025-02-03 with rorlint 0.1.0:");
    expect(md).toContain("scripts should create required directories in /var if they are not present: /var/lib/foo (debian/foo.cron.daily:5; debian/foo.init:60) — [ROR102]");
    expect(readFileSync(join(out, "status.md"), "utf8")).toContain("### acme/bar-pkg issues");

    // The token appears nowhere in the output.
    const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
    for (const f of walk(out)) expect(readFileSync(f, "utf8")).not.toContain(TOKEN);
    expect(errors.join("")).not.toContain(TOKEN);
  });

  it("needs a token and OWNER/NAME repositories (exit 2)", () => {
    const noToken = runCli(["status", "--github", "acme/debian-foo", "--out", join(work, "x")], { GITHUB_TOKEN: "", GITHUB_API_URL: api });
    expect(noToken.status).toBe(2);
    expect(noToken.stderr).toContain("GITHUB_TOKEN is not set");
    const bad = runCli(["status", "--github", "not-a-repo", "--out", join(work, "x")], { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: api });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--github takes OWNER/NAME, not "not-a-repo"');
  });
});
