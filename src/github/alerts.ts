/**
 * Reads rorlint's open code scanning alerts of a repository and turns them
 * back into findings, so the status site can aggregate repositories that
 * scan themselves in GitHub Actions (one repository per target):
 *
 *   GET /repos/{owner}/{repo}/code-scanning/alerts?state=open&tool_name=rorlint   (paginated)
 *
 * The client is upload.ts's (retry and throttling plugins, the token only
 * ever in the Authorization header, messages scrubbed).
 */
import { RULES } from "../../rules/index.js";
import type { Level } from "../types.js";
import { VERSION } from "../version.js";
import { normalizeEntry, type EntryFinding, type TargetEntry } from "../report/model.js";
import { alertsPageUrl, describeError, makeOctokit, type Scrubber } from "./upload.js";

/** The fields of a code scanning alert that rorlint reads. */
export interface AlertLike {
  number?: number;
  html_url?: string;
  state?: string | null;
  rule?: { id?: string | null; name?: string | null; severity?: string | null; description?: string | null } | null;
  tool?: { name?: string | null; version?: string | null } | null;
  most_recent_instance?: {
    message?: { text?: string | null } | null;
    location?: { path?: string | null; start_line?: number | null; end_line?: number | null; start_column?: number | null; end_column?: number | null } | null;
  } | null;
}

export interface AlertsRequest {
  token: string;
  apiUrl: string;
  owner: string;
  repo: string;
  retryBaseMs: number;
  log: (line: string) => void;
  scrubber: Scrubber;
}

/** Every open rorlint alert of the repository, all pages. Throws UploadError with a message to act on. */
export async function listRorlintAlerts(req: AlertsRequest): Promise<AlertLike[]> {
  const octokit = makeOctokit(req);
  try {
    return (await octokit.paginate(octokit.rest.codeScanning.listAlertsForRepo, {
      owner: req.owner,
      repo: req.repo,
      state: "open",
      tool_name: "rorlint",
      per_page: 100,
    })) as AlertLike[];
  } catch (err) {
    throw describeError(err, `list the code scanning alerts of ${req.owner}/${req.repo}`, req.scrubber, req.apiUrl);
  }
}

function levelOf(alert: AlertLike, ruleId: string): Level {
  const s = alert.rule?.severity;
  if (s === "error" || s === "warning" || s === "note") return s;
  return RULES.find((r) => r.id === ruleId)?.level ?? "warning";
}

/** One alert as a finding (role is unknown: alerts do not carry it). */
export function alertToFinding(alert: AlertLike): EntryFinding {
  const ruleId = alert.rule?.id || "unknown";
  const loc = alert.most_recent_instance?.location ?? {};
  const line = loc.start_line ?? 1;
  const column = loc.start_column ?? 1;
  return {
    ruleId,
    ruleName: RULES.find((r) => r.id === ruleId)?.name ?? alert.rule?.name ?? ruleId,
    level: levelOf(alert, ruleId),
    message: alert.most_recent_instance?.message?.text ?? alert.rule?.description ?? "",
    path: (loc.path ?? "").replace(/^\/+/, ""),
    line,
    column,
    endLine: loc.end_line ?? line,
    endColumn: loc.end_column ?? column,
    role: null,
    ...(alert.html_url ? { url: alert.html_url } : {}),
  };
}

export interface AlertsEntryMeta {
  owner: string;
  repo: string;
  /** The target's name (the repository's name, unless two repositories share it). */
  target: string;
  date: string;
  apiUrl: string;
  serverUrl?: string;
}

/** The history entry of one repository: its open alerts as findings. */
export function entryFromAlerts(alerts: readonly AlertLike[], meta: AlertsEntryMeta): TargetEntry {
  const findings = alerts.filter((a) => !a.state || a.state === "open").map(alertToFinding);
  // The rorlint version that made the alerts, when they say (the most common one).
  const versions = new Map<string, number>();
  for (const a of alerts) if (a.tool?.version) versions.set(a.tool.version, (versions.get(a.tool.version) ?? 0) + 1);
  const version = [...versions].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? VERSION;
  const repository = `${meta.owner}/${meta.repo}`;
  const url = alertsPageUrl(meta.apiUrl, meta.owner, meta.repo, meta.serverUrl);
  return normalizeEntry({
    tool: { name: "rorlint", version },
    targets: [{ path: repository, kind: "repo", scripts: 0 }],
    findings,
    diagnostics: [],
    parse: { files: 0, filesWithErrors: 0, linesInErrors: 0, lines: 0 },
    date: meta.date,
    target: meta.target,
    title: repository,
    source: { kind: "github", repository, ...(url ? { url } : {}) },
    excerpts: {},
    plan: null,
  });
}
