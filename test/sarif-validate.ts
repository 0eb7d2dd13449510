/**
 * The external check: Microsoft's SARIF multitool (npm @microsoft/sarif-multitool)
 * with GitHub's ingestion rules and SARIF's own:
 *
 *   Sarif.Multitool validate FILE --rule-kind "Gh;Sarif" -o OUT
 *
 * `validateSarif(file)` runs it and reads its output log (itself SARIF):
 * a result's level is its own, else its rule's default, else "warning".
 * Tool and configuration notifications of level error count as errors.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { spawnSync } from "node:child_process";

export interface SarifValidation {
  errors: number;
  warnings: number;
  notes: number;
  /** "GH1003 error: runs[0]...: the message", one per problem, errors first. */
  messages: string[];
}

/** The self-contained Linux binary. Its postinstall chmod does not run here, so make it executable. */
export function multitoolPath(): string {
  const require = createRequire(import.meta.url);
  const bin = join(dirname(require.resolve("@microsoft/sarif-multitool-linux/package.json")), "Sarif.Multitool");
  const mode = statSync(bin).mode;
  if ((mode & 0o111) !== 0o111) chmodSync(bin, mode | 0o755);
  return bin;
}

interface Message {
  text?: string;
  id?: string;
  arguments?: string[];
}
interface LogRule {
  id: string;
  defaultConfiguration?: { level?: string };
  messageStrings?: Record<string, { text: string }>;
}
interface Notification {
  level?: string;
  message: Message;
  descriptor?: { id?: string };
}
interface OutputLog {
  runs: {
    tool: { driver: { rules?: LogRule[] } };
    results?: { ruleId?: string; ruleIndex?: number; level?: string; message: Message }[];
    invocations?: { executionSuccessful?: boolean; toolExecutionNotifications?: Notification[]; toolConfigurationNotifications?: Notification[] }[];
  }[];
}

function render(message: Message, rule: LogRule | undefined): string {
  if (message.text) return message.text;
  const template = message.id ? rule?.messageStrings?.[message.id]?.text : undefined;
  if (!template) return `${message.id ?? "?"} ${JSON.stringify(message.arguments ?? [])}`;
  return template.replace(/\{(\d+)\}/g, (_, i: string) => message.arguments?.[Number(i)] ?? `{${i}}`);
}

export function validateSarif(file: string): SarifValidation {
  const dir = mkdtempSync(join(tmpdir(), "rorlint-sarif-validate-"));
  try {
    const out = join(dir, "validation.sarif");
    const r = spawnSync(multitoolPath(), ["validate", file, "--rule-kind", "Gh;Sarif", "-o", out, "--log", "ForceOverwrite"], {
      encoding: "utf8",
      // The .NET runtime wants a writable home and no telemetry prompt.
      env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: "1", DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: "1" },
      timeout: 120_000,
    });
    let log: OutputLog;
    try {
      log = JSON.parse(readFileSync(out, "utf8")) as OutputLog;
    } catch {
      throw new Error(`Sarif.Multitool produced no output log (status ${r.status}): ${r.error?.message ?? ""}${r.stdout}${r.stderr}`);
    }
    const found: { level: string; text: string }[] = [];
    for (const run of log.runs) {
      const rules = run.tool.driver.rules ?? [];
      for (const res of run.results ?? []) {
        const rule = (res.ruleIndex !== undefined ? rules[res.ruleIndex] : undefined) ?? rules.find((x) => x.id === res.ruleId);
        const level = res.level ?? rule?.defaultConfiguration?.level ?? "warning";
        found.push({ level, text: `${res.ruleId ?? "?"} ${level}: ${render(res.message, rule)}` });
      }
      for (const inv of run.invocations ?? []) {
        if (inv.executionSuccessful === false) found.push({ level: "error", text: "the multitool's execution was not successful" });
        for (const n of [...(inv.toolExecutionNotifications ?? []), ...(inv.toolConfigurationNotifications ?? [])]) {
          const level = n.level ?? "warning";
          found.push({ level, text: `${n.descriptor?.id ?? "notification"} ${level}: ${render(n.message, undefined)}` });
        }
      }
    }
    const order = (l: string) => (l === "error" ? 0 : l === "warning" ? 1 : 2);
    found.sort((a, b) => order(a.level) - order(b.level));
    return {
      errors: found.filter((f) => f.level === "error").length,
      warnings: found.filter((f) => f.level === "warning").length,
      notes: found.filter((f) => f.level !== "error" && f.level !== "warning").length,
      messages: found.map((f) => f.text),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
