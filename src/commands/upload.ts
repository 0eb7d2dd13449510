/**
 * `rorlint upload --sarif FILE --repo OWNER/NAME --commit SHA --ref REF`
 *
 * Sends a SARIF file to GitHub code scanning and waits for GitHub to
 * process it. The token comes from GITHUB_TOKEN and the API base from
 * GITHUB_API_URL (the GitHub Actions conventions). Exit status: 0 processed
 * (or still processing when the wait ends), 1 GitHub failed to process the
 * file, 2 usage error, a file GitHub would refuse, or a refused request
 * (401, 403, 404, 413, ...).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Option, type Command } from "commander";
import { alertsPageUrl, DEFAULT_API_URL, prepareSarif, Scrubber, UploadError, uploadSarif } from "../github/upload.js";
import { EXIT_CLEAN, EXIT_ERROR } from "./exit.js";

/** GitHub received the file but could not process it. */
const EXIT_PROCESSING_FAILED = 1;

export interface UploadCliOptions {
  sarif: string;
  repo?: string;
  commit?: string;
  ref?: string;
  checkoutUri?: string;
  waitTimeout: string;
  pollInterval: string;
  retryBaseMs: string;
}

function seconds(value: string, name: string, min: number): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new UploadError(`${name} must be a number of seconds${min > 0 ? " above 0" : ""}, not "${value}"`);
  return n;
}

/** A checkout URI as GitHub wants it: a file: URI. A plain path is turned into one. */
function checkoutUri(value: string | undefined): string | undefined {
  if (!value) return undefined;
  return /^[a-z][a-z0-9+.-]*:/i.test(value) ? value : pathToFileURL(resolve(value)).href;
}

export function register(program: Command): void {
  program
    .command("upload")
    .description("upload a SARIF file to GitHub code scanning (token from GITHUB_TOKEN, API from GITHUB_API_URL)")
    .requiredOption("--sarif <file>", "the SARIF file (rorlint scan -f sarif -o FILE)")
    .option("--repo <owner/name>", "the repository (default: GITHUB_REPOSITORY)")
    .option("--commit <sha>", "the full SHA of the analysed commit (default: GITHUB_SHA)")
    .option("--ref <ref>", "the analysed ref, e.g. refs/heads/main or refs/pull/1/merge (default: GITHUB_REF)")
    .option("--checkout-uri <uri>", "where the repository was checked out, when the SARIF has absolute file URIs")
    .option("--wait-timeout <seconds>", "how long to wait for GitHub to process the upload; 0 does not wait", "120")
    .option("--poll-interval <seconds>", "how often to ask GitHub whether processing is done", "5")
    .addOption(new Option("--retry-base-ms <ms>", "base of the retry delays").default("1000").hideHelp())
    .action(async (opts: UploadCliOptions) => {
      const token = process.env["GITHUB_TOKEN"] ?? "";
      const scrubber = new Scrubber([token]);
      const out = (line: string) => process.stdout.write(scrubber.scrub(line) + "\n");
      const err = (line: string) => process.stderr.write(scrubber.scrub(`rorlint upload: ${line}`) + "\n");
      try {
        if (!token) throw new UploadError("GITHUB_TOKEN is not set: export a token with the security-events: write permission (in GitHub Actions, pass GITHUB_TOKEN: ${{ github.token }})");
        const repoArg = opts.repo ?? process.env["GITHUB_REPOSITORY"];
        const commit = opts.commit ?? process.env["GITHUB_SHA"];
        const ref = opts.ref ?? process.env["GITHUB_REF"];
        const m = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(repoArg ?? "");
        if (!m) throw new UploadError(repoArg ? `--repo must be OWNER/NAME, not "${repoArg}"` : "--repo OWNER/NAME is required (or GITHUB_REPOSITORY)");
        if (!commit) throw new UploadError("--commit SHA is required (or GITHUB_SHA)");
        if (!/^[0-9a-f]{40}$/i.test(commit)) throw new UploadError(`--commit must be a full 40-character commit SHA, not "${commit}"`);
        if (!ref) throw new UploadError("--ref REF is required (or GITHUB_REF)");
        if (!/^refs\/.+/.test(ref)) throw new UploadError(`--ref must be a full ref such as refs/heads/main or refs/pull/1/merge, not "${ref}"`);
        const waitTimeoutMs = seconds(opts.waitTimeout, "--wait-timeout", 0) * 1000;
        const pollIntervalMs = seconds(opts.pollInterval, "--poll-interval", 0.001) * 1000;
        const retryBaseMs = Math.max(0, Number(opts.retryBaseMs) || 0);
        const apiUrl = (process.env["GITHUB_API_URL"] || DEFAULT_API_URL).replace(/\/+$/, "");

        let bytes: Buffer;
        try {
          bytes = readFileSync(opts.sarif);
        } catch (e) {
          throw new UploadError(`${opts.sarif}: ${(e as Error).message.replace(/^[A-Z]+: /, "")}`);
        }
        let sarif;
        try {
          sarif = prepareSarif(bytes);
        } catch (e) {
          throw new UploadError(`${opts.sarif}: ${(e as Error).message}`);
        }
        const owner = m[1]!;
        const repo = m[2]!;
        err(`uploading ${opts.sarif} (${sarif.results} result${sarif.results === 1 ? "" : "s"}, ${sarif.gzippedBytes} bytes gzip-compressed) to ${owner}/${repo} at ${commit.slice(0, 12)} (${ref})`);
        const outcome = await uploadSarif({
          token,
          apiUrl,
          owner,
          repo,
          commitSha: commit.toLowerCase(),
          ref,
          ...(checkoutUri(opts.checkoutUri) ? { checkoutUri: checkoutUri(opts.checkoutUri)! } : {}),
          sarif,
          pollIntervalMs,
          waitTimeoutMs,
          retryBaseMs,
          log: err,
          scrubber,
        });
        const page = alertsPageUrl(apiUrl, owner, repo, process.env["GITHUB_SERVER_URL"]);
        if (outcome.status === "complete") {
          out(`processing complete: sarif id ${outcome.id}`);
          if (outcome.analysesUrl) out(`analysis: ${outcome.analysesUrl}`);
          if (page) out(`alerts: ${page}`);
          process.exitCode = EXIT_CLEAN;
        } else if (outcome.status === "failed") {
          err(`GitHub failed to process the upload (sarif id ${outcome.id}):`);
          for (const e of outcome.errors.length ? outcome.errors : ["(GitHub gave no reason)"]) process.stderr.write(scrubber.scrub(`  ${e}`) + "\n");
          process.exitCode = EXIT_PROCESSING_FAILED;
        } else {
          out(`uploaded: sarif id ${outcome.id}; ${waitTimeoutMs > 0 ? `still processing after ${waitTimeoutMs / 1000} s (GitHub carries on in the background)` : "not waiting for processing"}`);
          if (page) out(`alerts: ${page}`);
          process.exitCode = EXIT_CLEAN;
        }
      } catch (e) {
        const message = e instanceof UploadError ? e.message : `unexpected error: ${(e as Error)?.message ?? String(e)}`;
        err(message);
        process.exitCode = EXIT_ERROR;
      }
    });
}
