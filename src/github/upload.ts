/**
 * Uploads a SARIF log to GitHub code scanning and waits for GitHub to
 * process it.
 *
 *   POST /repos/{owner}/{repo}/code-scanning/sarifs      {commit_sha, ref, sarif: base64(gzip(file))}
 *   GET  /repos/{owner}/{repo}/code-scanning/sarifs/{id} until processing_status is complete or failed
 *
 * Requests go through @octokit/rest with the retry plugin (5xx and network
 * errors, with growing delays) and the throttling plugin (rate limits).
 * The token is never written anywhere: every message that leaves this
 * module goes through `Scrubber`.
 */
import { gzipSync } from "node:zlib";
import { Octokit } from "@octokit/rest";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { VERSION } from "../version.js";

/** GitHub's limits on one upload (docs: "SARIF support for code scanning", "Uploading a SARIF file"). */
export const UPLOAD_LIMITS = {
  /** The gzip-compressed file; "10 MB", taken as 10^7 bytes to stay on the safe side. */
  gzippedBytes: 10_000_000,
  runs: 20,
  resultsPerRun: 25_000,
} as const;

export const DEFAULT_API_URL = "https://api.github.com";

/** A failure the user can act on: the message says what to do; `status` is the HTTP status, if any. */
export class UploadError extends Error {
  override name = "UploadError";
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Replaces every spelling of the secrets (as is, URL-encoded, base64) with "***". */
export class Scrubber {
  private readonly forms: string[];
  constructor(secrets: readonly string[]) {
    const forms = new Set<string>();
    for (const s of secrets) {
      if (s.length < 4) continue;
      forms.add(s);
      forms.add(encodeURIComponent(s));
      forms.add(Buffer.from(s).toString("base64").replace(/=+$/, ""));
      forms.add(Buffer.from(`x-access-token:${s}`).toString("base64").replace(/=+$/, ""));
    }
    this.forms = [...forms].sort((a, b) => b.length - a.length);
  }
  scrub(text: string): string {
    let out = text;
    for (const f of this.forms) out = out.split(f).join("***");
    return out;
  }
}

export interface PreparedSarif {
  /** base64 of the gzip-compressed file: the `sarif` field of the upload. */
  base64: string;
  gzippedBytes: number;
  runs: number;
  results: number;
  /** The tool of the runs when they all name the same one. */
  toolName?: string;
}

interface SarifShape {
  version?: unknown;
  runs?: { tool?: { driver?: { name?: unknown } }; automationDetails?: { id?: unknown }; results?: unknown[] }[];
}

/** Checks what GitHub would refuse before sending anything, and compresses the file. */
export function prepareSarif(bytes: Buffer): PreparedSarif {
  let log: SarifShape;
  try {
    log = JSON.parse(bytes.toString("utf8")) as SarifShape;
  } catch (err) {
    throw new UploadError(`the file is not JSON: ${(err as Error).message}`);
  }
  if (log === null || typeof log !== "object" || !Array.isArray(log.runs)) throw new UploadError("the file is not a SARIF log (no runs array)");
  if (log.version !== "2.1.0") throw new UploadError(`code scanning accepts SARIF 2.1.0 only; the file says version ${JSON.stringify(log.version)}`);
  if (log.runs.length > UPLOAD_LIMITS.runs) throw new UploadError(`the file has ${log.runs.length} runs; code scanning accepts at most ${UPLOAD_LIMITS.runs}`);
  const seen = new Set<string>();
  let results = 0;
  const tools = new Set<string>();
  for (const run of log.runs) {
    const tool = String(run?.tool?.driver?.name ?? "");
    tools.add(tool);
    const key = `${tool}\0${String(run?.automationDetails?.id ?? "")}`;
    if (seen.has(key)) {
      throw new UploadError(`the file has two runs of ${tool || "the same tool"} with the same category (automationDetails.id ${JSON.stringify(run?.automationDetails?.id ?? null)}); code scanning rejects that`);
    }
    seen.add(key);
    const n = Array.isArray(run?.results) ? run.results.length : 0;
    if (n > UPLOAD_LIMITS.resultsPerRun) throw new UploadError(`a run has ${n} results; code scanning accepts at most ${UPLOAD_LIMITS.resultsPerRun} per run`);
    results += n;
  }
  const gz = gzipSync(bytes);
  if (gz.length > UPLOAD_LIMITS.gzippedBytes) {
    throw new UploadError(`the file is ${(gz.length / 1e6).toFixed(1)} MB gzip-compressed; code scanning accepts at most 10 MB`, 413);
  }
  const toolName = tools.size === 1 ? [...tools][0] || undefined : undefined;
  return { base64: gz.toString("base64"), gzippedBytes: gz.length, runs: log.runs.length, results, ...(toolName ? { toolName } : {}) };
}

export interface UploadRequest {
  token: string;
  /** API base, e.g. https://api.github.com or https://HOST/api/v3. */
  apiUrl: string;
  owner: string;
  repo: string;
  commitSha: string;
  ref: string;
  checkoutUri?: string;
  sarif: PreparedSarif;
  /** How long to wait between status checks. */
  pollIntervalMs: number;
  /** How long to wait for processing in all; 0 returns right after the upload. */
  waitTimeoutMs: number;
  /** Base of the retry delays (1, 4, 9 times this); 1000 in real use, small in tests. */
  retryBaseMs: number;
  /** Progress lines (already scrubbed). */
  log: (line: string) => void;
  scrubber: Scrubber;
}

export interface UploadOutcome {
  id: string;
  status: "complete" | "failed" | "pending";
  errors: string[];
  /** The API URL of the analyses made from this upload, once processed. */
  analysesUrl?: string;
}

const STATUS_HINTS: Record<number, string> = {
  401: "GitHub did not accept the token (401): check that GITHUB_TOKEN is set to a valid token",
  403: "GitHub refused the upload (403): code scanning may be disabled for this repository (it needs GitHub Code Security on private repositories), or the token lacks the security-events: write permission (workflows from forks get a read-only token)",
  404: "GitHub answered 404: the repository does not exist, or the token cannot see it",
  413: "GitHub answered 413: the SARIF file is too large (at most 10 MB gzip-compressed)",
  422: "GitHub could not accept the upload (422): check the commit SHA, the ref and the SARIF file",
};

/** Octokit's RequestError, without depending on its class identity. */
interface HttpError {
  status: number;
  message: string;
  response?: { data?: unknown };
}

function isHttpError(err: unknown): err is HttpError {
  return typeof err === "object" && err !== null && typeof (err as { status?: unknown }).status === "number";
}

/** The user-facing message for a failed request. */
export function describeError(err: unknown, what: string, scrubber: Scrubber, apiUrl?: string): UploadError {
  if (err instanceof UploadError) return new UploadError(scrubber.scrub(err.message), err.status);
  if (isHttpError(err) && !err.response) {
    // No answer at all (refused connection, DNS, timeout): octokit calls that a 500.
    return new UploadError(scrubber.scrub(`cannot ${what}: no answer from ${apiUrl ?? "the API"} (${err.message}), after retries`));
  }
  if (isHttpError(err)) {
    const data = err.response?.data as { message?: unknown; errors?: unknown } | undefined;
    const said = typeof data?.message === "string" && data.message ? data.message : err.message;
    const detail = Array.isArray(data?.errors) && data.errors.length ? `; ${data.errors.map((e) => (typeof e === "string" ? e : JSON.stringify(e))).join("; ")}` : "";
    const hint = STATUS_HINTS[err.status] ?? (err.status >= 500 ? `GitHub failed to ${what} (${err.status}), after retries` : `GitHub refused to ${what} (${err.status})`);
    return new UploadError(scrubber.scrub(`${hint}. GitHub said: ${said}${detail}`), err.status);
  }
  const cause = (err as { cause?: { message?: string } })?.cause?.message;
  const msg = `${(err as Error)?.message ?? String(err)}${cause ? ` (${cause})` : ""}`;
  return new UploadError(scrubber.scrub(`cannot ${what}: ${msg}`));
}

const RetryingOctokit = Octokit.plugin(retry, throttling);

export function makeOctokit(req: Pick<UploadRequest, "token" | "apiUrl" | "retryBaseMs" | "log" | "scrubber">): InstanceType<typeof RetryingOctokit> {
  const say = (m: unknown) => req.log(req.scrubber.scrub(String(m)));
  const onLimit = (kind: string) => (retryAfter: number, options: { method?: string; url?: string }, _o: unknown, retryCount: number) => {
    // One retry when the wait is short; otherwise give up with the error.
    const again = retryCount < 1 && retryAfter <= 60;
    say(`${kind} rate limit on ${options.method ?? ""} ${options.url ?? ""}${again ? `; retrying in ${retryAfter} s` : ""}`);
    return again;
  };
  return new RetryingOctokit({
    auth: req.token,
    baseUrl: req.apiUrl.replace(/\/+$/, ""),
    userAgent: `rorlint/${VERSION}`,
    // Failed requests are reported once, by the caller, in words; octokit's own request lines would repeat them.
    log: { debug: () => {}, info: () => {}, warn: say, error: () => {} },
    request: {
      // No request waits forever.
      fetch: (url: string | URL, init?: RequestInit) => fetch(url, { ...init, signal: init?.signal ?? AbortSignal.timeout(60_000) }),
    },
    retry: { retryAfterBaseValue: req.retryBaseMs, retries: 3, doNotRetry: [400, 401, 403, 404, 410, 413, 422, 451] },
    throttle: { retryAfterBaseValue: req.retryBaseMs, onRateLimit: onLimit("primary"), onSecondaryRateLimit: onLimit("secondary") },
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Uploads, then waits for processing (unless waitTimeoutMs is 0). Throws UploadError. */
export async function uploadSarif(req: UploadRequest): Promise<UploadOutcome> {
  const octokit = makeOctokit(req);
  const { owner, repo } = req;
  let id: string;
  try {
    const res = await octokit.rest.codeScanning.uploadSarif({
      owner,
      repo,
      commit_sha: req.commitSha,
      ref: req.ref,
      sarif: req.sarif.base64,
      ...(req.checkoutUri ? { checkout_uri: req.checkoutUri } : {}),
      ...(req.sarif.toolName ? { tool_name: req.sarif.toolName } : {}),
    });
    if (!res.data.id) throw new UploadError("GitHub accepted the upload but returned no id");
    id = res.data.id;
  } catch (err) {
    throw describeError(err, "upload the SARIF file", req.scrubber, req.apiUrl);
  }
  req.log(`uploaded (id ${id}); ${req.waitTimeoutMs > 0 ? "waiting for GitHub to process it" : "not waiting for processing"}`);
  if (req.waitTimeoutMs <= 0) return { id, status: "pending", errors: [] };

  const deadline = Date.now() + req.waitTimeoutMs;
  for (;;) {
    await sleep(Math.min(req.pollIntervalMs, Math.max(0, deadline - Date.now())));
    try {
      const res = await octokit.rest.codeScanning.getSarif({ owner, repo, sarif_id: id });
      const status = res.data.processing_status;
      if (status === "complete" || status === "failed") {
        return { id, status, errors: (res.data.errors ?? []).map((e) => req.scrubber.scrub(String(e))), ...(res.data.analyses_url ? { analysesUrl: res.data.analyses_url } : {}) };
      }
    } catch (err) {
      // Right after the upload the status may not exist yet: keep asking.
      if (!(isHttpError(err) && err.status === 404)) throw describeError(err, "read the processing status", req.scrubber, req.apiUrl);
    }
    if (Date.now() >= deadline) return { id, status: "pending", errors: [] };
  }
}

/** The web page of a repository's code scanning alerts, for the API base in use. */
export function alertsPageUrl(apiUrl: string, owner: string, repo: string, serverUrl?: string): string | undefined {
  let server = serverUrl?.replace(/\/+$/, "");
  if (!server) {
    const api = apiUrl.replace(/\/+$/, "");
    if (api === DEFAULT_API_URL) server = "https://github.com";
    else if (/\/api\/v3$/.test(api)) server = api.replace(/\/api\/v3$/, "");
    else return undefined;
  }
  return `${server}/${owner}/${repo}/security/code-scanning`;
}
