/**
 * The status site in a real browser: Debian's chromium driven by
 * playwright-core (installed by .ci/run). The site is built into a
 * temporary directory from the sample (scanned) and a fabricated target
 * with two runs (for a trend line), then opened from file://.
 *
 * Checks the matrix, a distro page, a rule page and the trend, clicks from
 * the matrix through to a finding, records every request the pages make
 * (only file:// may appear: nothing leaves the machine), and saves
 * screenshots to test-results/ as artifacts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { runReport } from "../src/commands/report.js";
import { VERSION } from "../src/version.js";
import { ROOT } from "./helpers.js";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const ARTIFACTS = join(ROOT, "test-results");

const work = mkdtempSync(join(tmpdir(), "rorlint-site-test-"));
const out = join(work, "reports");
const site = join(out, "site");
let context: BrowserContext;
let page: Page;
/** Every request any page of the context made. */
const requests: string[] = [];

function fab(findings: Record<string, unknown>[]) {
  return { tool: { name: "rorlint", version: VERSION }, targets: [{ path: "fab", kind: "rootfs", scripts: 1 }], findings, diagnostics: [], parse: { files: 1, filesWithErrors: 0, linesInErrors: 0, lines: 10 } };
}
const finding = (ruleId: string, ruleName: string, level: string, path: string, line: number, message: string, role: string | null) => ({ ruleId, ruleName, level, message, path, line, column: 1, endLine: line, endColumn: 10, role });

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium ("apt-get install -y chromium"; .ci/run does)`);
  const json = join(work, "json");
  mkdirSync(json);
  expect(await runReport({ targets: "sample", out, date: "2025-03-01" })).toBe(0);
  const hw = finding("ROR104", "hwclock-write", "warning", "etc/init.d/hwclock.sh", 42, "Writes the hardware clock and /etc/adjtime (hwclock --systohc) without the user asking for it.", "shutdown");
  const etc = finding("ROR105", "runtime-write-to-etc", "error", "etc/cron.daily/stamp", 3, "Writes /etc/stamp under /etc at runtime (>).", "periodic");
  writeFileSync(join(json, "fab.json"), JSON.stringify(fab([hw])));
  expect(await runReport({ fromJson: json, out, date: "2025-03-01" })).toBe(0);
  writeFileSync(join(json, "fab.json"), JSON.stringify(fab([hw, etc])));
  expect(await runReport({ fromJson: json, out, date: "2025-03-02" })).toBe(0);

  mkdirSync(ARTIFACTS, { recursive: true });
  context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "rorlint-chromium-")), {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
  });
  context.on("request", (r) => requests.push(r.url()));
  page = await context.newPage();
}, 180_000);

afterAll(async () => {
  await context?.close();
  rmSync(work, { recursive: true, force: true });
});

const url = (rel: string) => pathToFileURL(join(site, rel)).href;

describe("the status site in chromium", () => {
  it("shows the distro x rule matrix with counts and changes", async () => {
    await page.goto(url("index.html"));
    expect(await page.title()).toBe("rorlint · read-only root status");
    const rows = page.locator("#matrix-table tbody tr");
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).getAttribute("data-target")).toBe("fab");
    expect(await rows.nth(1).getAttribute("data-target")).toBe("sample");
    const cell = (target: string, rule: string) => page.locator(`#matrix-table tr[data-target="${target}"] td[data-rule="${rule}"]`);
    expect((await cell("sample", "ROR104").innerText()).trim()).toBe("1");
    expect((await cell("fab", "ROR105").innerText()).trim()).toBe("1");
    expect((await cell("fab", "ROR101").innerText()).trim()).toBe("·");
    expect((await page.locator('#matrix-table tr[data-target="fab"] td.changed').innerText()).trim()).toBe("+1");
    await page.screenshot({ path: join(ARTIFACTS, "site-index.png"), fullPage: true });
  });

  it("draws the trend as inline SVG", async () => {
    const svg = page.locator("svg.trend").first();
    await expect.poll(() => svg.isVisible()).toBe(true);
    expect(await svg.locator('g[data-target="fab"] polyline').count()).toBe(1);
    expect(await svg.locator('g[data-target="fab"] circle').count()).toBe(2);
    expect(await svg.locator('g[data-target="sample"] circle').count()).toBe(1);
    expect(await svg.locator("title").first().textContent()).toMatch(/2 runs from 2025-03-01 to 2025-03-02/);
    const box = await svg.boundingBox();
    expect(box!.width).toBeGreaterThan(300);
  });

  it("clicks through from the matrix to a finding with its code", async () => {
    await page.locator('#matrix-table tr[data-target="sample"] td[data-rule="ROR104"] a').click();
    await page.waitForURL(/targets\/sample\.html#rule-ROR104$/);
    const section = page.locator("#rule-ROR104");
    await expect.poll(() => section.isVisible()).toBe(true);
    // From the rule's section to its finding (the link on the bullet's evidence).
    await page.locator('ul.issues a:has-text("etc/init.d/hwclock.sh:20, shutdown")').click();
    await page.waitForURL(/targets\/sample\.html#f\d+$/);
    const id = new URL(page.url()).hash.slice(1);
    const article = page.locator(`article#${id}`);
    expect(await article.getAttribute("data-rule")).toBe("ROR104");
    expect(await article.evaluate((el) => el.matches(":target"))).toBe(true);
    expect(await article.locator("header .loc").innerText()).toMatch(/^etc\/init\.d\/hwclock\.sh:20:\d+$/);
    expect(await article.locator("tr.hl").innerText()).toContain("hwclock --systohc");
    // The browser scrolled to it.
    await expect
      .poll(() =>
        article.evaluate((el) => {
          const r = el.getBoundingClientRect();
          return `${Math.round(r.top)} of ${window.innerHeight}, scrolled ${Math.round(window.scrollY)}`;
        }),
      )
      .toMatch(/^\d+ of 900, scrolled [1-9]/);
    await page.screenshot({ path: join(ARTIFACTS, "site-finding.png") });
  });

  it("shows a distro page: issues in plain words, findings, the plan", async () => {
    await page.goto(url("targets/sample.html"));
    expect(await page.locator("h1").innerText()).toBe("rorlint sample (hand-written) issues");
    expect(await page.locator("ul.issues").innerText()).toContain("/var/lib/dpkg should be in /usr");
    expect(await page.locator("article.finding").count()).toBeGreaterThan(5);
    expect(await page.locator("#plan ~ div table.plan tbody tr").count()).toBeGreaterThan(3);
    await page.screenshot({ path: join(ARTIFACTS, "site-target.png"), fullPage: true });
    await page.goto(url("targets/fab.html"));
    expect(await page.locator("#fixed").count()).toBe(0);
    expect(await page.locator("article.finding .badge.new").count()).toBe(1);
  });

  it("shows a rule page: where it fires, counts, and the explanation", async () => {
    await page.goto(url("rules/ROR104.html"));
    expect(await page.locator("h1").innerText()).toMatch(/^ROR104 hwclock-write/);
    const rows = page.locator("#where-table tbody tr");
    expect(await rows.count()).toBe(2);
    expect(await page.locator("#where + p").innerText()).toBe("2 findings on 2 targets of 2.");
    expect(await page.locator(".doc h3", { hasText: "Problematic code" }).count()).toBe(1);
    expect(await page.locator(".doc pre code").first().innerText()).toContain("hwclock");
    await page.screenshot({ path: join(ARTIFACTS, "site-rule.png"), fullPage: true });
    // And back to the finding on a distro page.
    await page.locator('#where-table a:has-text("etc/init.d/hwclock.sh:42, shutdown")').click();
    await page.waitForURL(/targets\/fab\.html#f\d+$/);
  });

  it("never left the machine", () => {
    expect(requests.length).toBeGreaterThan(5);
    const outside = requests.filter((r) => !r.startsWith("file://") && !/^https?:\/\/127\.0\.0\.1[:/]/.test(r));
    expect(outside).toEqual([]);
  });
});
