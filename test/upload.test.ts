/**
 * `rorlint upload` against a local stand-in for GitHub's code scanning API
 * (node:http on 127.0.0.1, a random port) that speaks the two endpoints:
 *
 *   POST /repos/{owner}/{repo}/code-scanning/sarifs       -> 202 {id, url}
 *   GET  /repos/{owner}/{repo}/code-scanning/sarifs/{id}  -> {processing_status, analyses_url, errors}
 *
 * The real CLI runs as a child process with GITHUB_API_URL pointing at the
 * server. Each test scripts the server's answers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { AddressInfo } from "node:net";
import { BIN, ROOT } from "./helpers.js";
import { prepareSarif, Scrubber, UPLOAD_LIMITS } from "../src/github/upload.js";

const TOKEN = "ghs_TestTokenThatMustNeverBeShown0123456789";
const COMMIT = "0123456789abcdef0123456789abcdef01234567";
const REF = "refs/heads/main";

interface Seen {
  method: string;
  url: string;
  authorization?: string;
  body?: Record<string, unknown>;
}

/** What the server answers next: a list per route, the last one repeating. */
interface Script {
  upload: { status: number; body: unknown }[];
  status: { status: number; body: unknown }[];
}

let server: Server;
let api: string;
let script: Script;
let seen: Seen[] = [];
const work = mkdtempSync(join(tmpdir(), "rorlint-upload-test-"));
const sarifFile = join(work, "sample.sarif");

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function next(list: Script["upload"]): { status: number; body: unknown } {
  return list.length > 1 ? list.shift()! : list[0]!;
}

beforeAll(async () => {
  // A SARIF file from the real formatter (the sample), written by the CLI.
  const scan = await runCli(["scan", "corpora/sample", "-f", "sarif", "-o", sarifFile]);
  expect(scan.status).toBe(1);
  server = createServer(async (req, res) => {
    const body = await readBody(req);
    const entry: Seen = { method: req.method ?? "", url: req.url ?? "", ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) };
    if (body) entry.body = JSON.parse(body) as Record<string, unknown>;
    seen.push(entry);
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (req.method === "POST" && /^\/repos\/[^/]+\/[^/]+\/code-scanning\/sarifs$/.test(url.pathname)) {
      const a = next(script.upload);
      return json(res, a.status, a.body);
    }
    const m = /^\/repos\/([^/]+)\/([^/]+)\/code-scanning\/sarifs\/([^/]+)$/.exec(url.pathname);
    if (req.method === "GET" && m) {
      const a = next(script.status);
      return json(res, a.status, a.body);
    }
    json(res, 404, { message: "Not Found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(work, { recursive: true, force: true });
});

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI as a child process (asynchronous: the server lives in this process). */
function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const base: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1", GITHUB_REPOSITORY: undefined, GITHUB_SHA: undefined, GITHUB_REF: undefined, GITHUB_SERVER_URL: undefined };
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: Object.fromEntries(Object.entries({ ...base, ...env }).filter(([, v]) => v !== undefined)) as Record<string, string> });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

function upload(extra: string[] = [], env: Record<string, string | undefined> = {}): Promise<Run> {
  return runCli(
    ["upload", "--sarif", sarifFile, "--repo", "octo/distro", "--commit", COMMIT, "--ref", REF, "--poll-interval", "0.02", "--wait-timeout", "5", "--retry-base-ms", "5", ...extra],
    { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: api, ...env },
  );
}

function expectNoToken(r: Run): void {
  expect(r.stdout).not.toContain(TOKEN);
  expect(r.stderr).not.toContain(TOKEN);
  expect(r.stdout + r.stderr).not.toContain(TOKEN.slice(4, 30));
}

const accepted = { status: 202, body: { id: "47177e22-5596-11eb-80a1-c1e54ef945c6", url: "https://api.github.test/repos/octo/distro/code-scanning/sarifs/47177e22" } };
const pending = { status: 200, body: { processing_status: "pending", analyses_url: null } };

describe("rorlint upload", () => {
  it("sends the SARIF gzip-compressed and base64-encoded, then polls until processing is complete", async () => {
    seen = [];
    script = {
      upload: [accepted],
      status: [pending, pending, { status: 200, body: { processing_status: "complete", analyses_url: "https://api.github.test/repos/octo/distro/code-scanning/analyses?sarif_id=47177e22" } }],
    };
    const r = await upload(["--checkout-uri", "file:///github/workspace/"]);
    expectNoToken(r);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("processing complete");
    expect(r.stdout).toContain("https://api.github.test/repos/octo/distro/code-scanning/analyses?sarif_id=47177e22");

    const post = seen.find((s) => s.method === "POST")!;
    expect(post.url).toBe("/repos/octo/distro/code-scanning/sarifs");
    expect(post.authorization).toBe(`token ${TOKEN}`);
    expect(post.body!["commit_sha"]).toBe(COMMIT);
    expect(post.body!["ref"]).toBe(REF);
    expect(post.body!["checkout_uri"]).toBe("file:///github/workspace/");
    expect(post.body!["tool_name"]).toBe("rorlint");
    const decoded = gunzipSync(Buffer.from(post.body!["sarif"] as string, "base64"));
    expect(decoded.equals(readFileSync(sarifFile))).toBe(true);

    const polls = seen.filter((s) => s.method === "GET");
    expect(polls).toHaveLength(3);
    for (const p of polls) expect(p.url).toBe("/repos/octo/distro/code-scanning/sarifs/47177e22-5596-11eb-80a1-c1e54ef945c6");
  });

  it("stops polling when processing failed, prints GitHub's errors and exits 1", async () => {
    seen = [];
    script = { upload: [accepted], status: [pending, { status: 200, body: { processing_status: "failed", analyses_url: null, errors: ["locationFromSarifResult: expected artifact location", "another problem"] } }] };
    const r = await upload();
    expectNoToken(r);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("failed to process");
    expect(r.stderr).toContain("locationFromSarifResult: expected artifact location");
    expect(r.stderr).toContain("another problem");
    expect(seen.filter((s) => s.method === "GET")).toHaveLength(2);
  });

  it("retries a 502, on the upload and on the status", async () => {
    seen = [];
    const bad = { status: 502, body: { message: "Bad Gateway" } };
    script = { upload: [bad, bad, accepted], status: [bad, { status: 200, body: { processing_status: "complete", analyses_url: "https://api.github.test/a" } }] };
    const r = await upload();
    expectNoToken(r);
    expect(r.status).toBe(0);
    expect(seen.filter((s) => s.method === "POST")).toHaveLength(3);
    expect(seen.filter((s) => s.method === "GET")).toHaveLength(2);
  });

  it("exits 2 with a clear message on 403 (code scanning disabled or no permission), without retrying", async () => {
    seen = [];
    script = { upload: [{ status: 403, body: { message: "Advanced Security must be enabled for this repository to use code scanning." } }], status: [pending] };
    const r = await upload();
    expectNoToken(r);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("403");
    expect(r.stderr).toMatch(/code scanning may be disabled|security-events: write/);
    expect(r.stderr).toContain("Advanced Security must be enabled");
    expect(seen.filter((s) => s.method === "POST")).toHaveLength(1);
    expect(seen.filter((s) => s.method === "GET")).toHaveLength(0);
  });

  it("exits 2 on a bad token (401) and on 413, and never shows the token even when GitHub echoes it", async () => {
    seen = [];
    script = { upload: [{ status: 401, body: { message: `Bad credentials for ${TOKEN}` } }], status: [pending] };
    let r = await upload();
    expectNoToken(r);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("401");
    expect(r.stderr).toContain("Bad credentials for ***");

    script = { upload: [{ status: 413, body: { message: "Payload Too Large" } }], status: [pending] };
    r = await upload();
    expectNoToken(r);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("too large");
  });

  it("exits 2 when GITHUB_TOKEN is missing, before any request", async () => {
    seen = [];
    const r = await upload([], { GITHUB_TOKEN: undefined });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("GITHUB_TOKEN is not set");
    expect(seen).toHaveLength(0);
  });

  it("exits 2 on bad arguments and on a file GitHub would refuse, before any request", async () => {
    seen = [];
    let r = await upload(["--commit", "abc123"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("40-character");
    r = await upload(["--repo", "no-slash"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("OWNER/NAME");

    const twoRuns = join(work, "two-runs.sarif");
    const log = JSON.parse(readFileSync(sarifFile, "utf8")) as { runs: unknown[] };
    writeFileSync(twoRuns, JSON.stringify({ ...log, runs: [log.runs[0], log.runs[0]] }));
    r = await runCli(["upload", "--sarif", twoRuns, "--repo", "octo/distro", "--commit", COMMIT, "--ref", REF], { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: api });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("same category");
    expectNoToken(r);
    expect(seen).toHaveLength(0);
  });

  it("exits 2 when the API does not answer, after retries", async () => {
    // A port nobody listens on: a server started and closed again.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const r = await upload([], { GITHUB_API_URL: `http://127.0.0.1:${port}` });
    expectNoToken(r);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`no answer from http://127.0.0.1:${port}`);
  });

  it("stops waiting at --wait-timeout and says the upload is still processing", async () => {
    seen = [];
    script = { upload: [accepted], status: [pending] };
    const r = await upload(["--wait-timeout", "0.3", "--poll-interval", "0.05"]);
    expectNoToken(r);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("still processing");
    expect(seen.filter((s) => s.method === "GET").length).toBeGreaterThanOrEqual(2);
  });
});

describe("upload checks", () => {
  it("refuse files over 10 MB gzip-compressed and logs GitHub would reject", () => {
    expect(() => prepareSarif(Buffer.from("{"))).toThrow(/not JSON/);
    expect(() => prepareSarif(Buffer.from(JSON.stringify({ version: "2.0.0", runs: [] })))).toThrow(/2\.1\.0/);
    const run = { tool: { driver: { name: "rorlint" } }, results: [] };
    expect(() => prepareSarif(Buffer.from(JSON.stringify({ version: "2.1.0", runs: Array.from({ length: 21 }, (_, i) => ({ ...run, automationDetails: { id: `c${i}/` } })) })))).toThrow(/at most 20/);
    // Incompressible text: random base64 of more than 10 MB.
    const noise = Buffer.alloc(16_000_000);
    for (let i = 0; i < noise.length; i += 4) noise.writeUInt32LE((Math.random() * 0xffffffff) >>> 0, i);
    const big = Buffer.from(JSON.stringify({ version: "2.1.0", runs: [{ ...run, properties: { noise: noise.toString("base64") } }] }));
    expect(() => prepareSarif(big)).toThrow(/at most 10 MB/);
    expect(UPLOAD_LIMITS.gzippedBytes).toBeLessThanOrEqual(10 * 1024 * 1024);
  });

  it("scrub every spelling of the token", () => {
    const s = new Scrubber([TOKEN]);
    expect(s.scrub(`a ${TOKEN} b ${encodeURIComponent(TOKEN)} c ${Buffer.from(TOKEN).toString("base64")}`)).not.toMatch(/TestToken|Z2hzX1Rlc3RUb2tlb/);
  });
});
