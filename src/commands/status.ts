/**
 * `rorlint status --github OWNER/NAME[,OWNER/NAME...] [--out DIR] [--date YYYY-MM-DD]`
 *
 * Builds the status reports and site (as `rorlint report` does) from the
 * open rorlint code scanning alerts of GitHub repositories, one repository
 * per target (the target is named after the repository). This is how the
 * page scales past one machine: each packaging repository scans itself in
 * GitHub Actions, and the page only aggregates. The token comes from
 * GITHUB_TOKEN (never printed) and the API base from GITHUB_API_URL.
 *
 * A repository whose alerts cannot be read is reported on stderr and
 * skipped. Exit status: 0 reports written, 2 usage error or no repository
 * could be read.
 */
import { join } from "node:path";
import { Option, type Command } from "commander";
import { DEFAULT_API_URL, Scrubber, UploadError } from "../github/upload.js";
import { entryFromAlerts, listRorlintAlerts } from "../github/alerts.js";
import { writeReports } from "../report/index.js";
import { activeFindings, plural, type TargetEntry } from "../report/model.js";
import { checkDate } from "./report.js";
import { EXIT_CLEAN, EXIT_ERROR } from "./exit.js";

export interface StatusCliOptions {
  github: string;
  out: string;
  date?: string;
  retryBaseMs: string;
}

const REPO = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/;

export async function runStatus(opts: StatusCliOptions, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const token = env["GITHUB_TOKEN"] ?? "";
  const scrubber = new Scrubber([token]);
  const err = (line: string) => process.stderr.write(scrubber.scrub(`rorlint status: ${line}`) + "\n");
  const repos = [...new Set(opts.github.split(",").map((s) => s.trim()).filter(Boolean))];
  if (repos.length === 0) {
    err("--github needs at least one OWNER/NAME");
    return EXIT_ERROR;
  }
  const bad = repos.filter((r) => !REPO.test(r));
  if (bad.length) {
    err(`--github takes OWNER/NAME, not ${bad.map((b) => `"${b}"`).join(", ")}`);
    return EXIT_ERROR;
  }
  if (!token) {
    err("GITHUB_TOKEN is not set: export a token that can read code scanning alerts (security-events: read)");
    return EXIT_ERROR;
  }
  let date: string;
  try {
    date = checkDate(opts.date);
  } catch (e) {
    err((e as Error).message);
    return EXIT_ERROR;
  }
  const apiUrl = (env["GITHUB_API_URL"] || DEFAULT_API_URL).replace(/\/+$/, "");
  const retryBaseMs = Math.max(0, Number(opts.retryBaseMs) || 0);
  // The target is the repository's name; owner-name when two repositories share a name.
  const names = repos.map((r) => r.split("/")[1]!);
  const entries: TargetEntry[] = [];
  for (const [i, full] of repos.entries()) {
    const [, owner, repo] = REPO.exec(full)!;
    const target = names.filter((n) => n === names[i]).length > 1 ? `${owner}-${repo}` : repo!;
    try {
      const alerts = await listRorlintAlerts({ token, apiUrl, owner: owner!, repo: repo!, retryBaseMs, log: err, scrubber });
      const serverUrl = env["GITHUB_SERVER_URL"];
      entries.push(entryFromAlerts(alerts, { owner: owner!, repo: repo!, target, date, apiUrl, ...(serverUrl ? { serverUrl } : {}) }));
      err(`${full}: ${plural(alerts.length, "open alert")}`);
    } catch (e) {
      const message = e instanceof UploadError ? e.message : `unexpected error: ${(e as Error)?.message ?? String(e)}`;
      err(`${full}: skipped: ${message}`);
    }
  }
  if (entries.length === 0) {
    err("no repository could be read");
    return EXIT_ERROR;
  }
  const written = await writeReports(opts.out, entries);
  for (const t of written.histories) {
    if (!entries.some((e) => e.target === t.target)) continue;
    const change = t.change ? `${t.change.added} new, ${t.change.fixed} fixed since ${t.change.since}` : "first run";
    process.stdout.write(scrubber.scrub(`${t.target}: ${plural(activeFindings(t.latest).length, "finding")} (${change}) -> ${join(opts.out, `${t.target}.md`)}`) + "\n");
  }
  process.stdout.write(`status: ${join(opts.out, "status.md")}, site: ${join(opts.out, "site", "index.html")}\n`);
  return EXIT_CLEAN;
}

export function register(program: Command): void {
  program
    .command("status")
    .description("build the status reports and site from GitHub code scanning alerts (token from GITHUB_TOKEN, API from GITHUB_API_URL)")
    .requiredOption("--github <repos>", "comma-separated OWNER/NAME repositories that run the rorlint Action, one per target")
    .option("--out <dir>", "output directory", join("reports", "github"))
    .option("--date <YYYY-MM-DD>", "the date of this run (default: today, UTC)")
    .addOption(new Option("--retry-base-ms <ms>", "base of the retry delays").default("1000").hideHelp())
    .action(async (opts: StatusCliOptions) => {
      process.exitCode = await runStatus(opts);
    });
}
