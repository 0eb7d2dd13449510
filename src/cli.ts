/**
 * The command line. Exit codes: 0 nothing found, 1 findings reported,
 * 2 usage, configuration or I/O error.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Command, CommanderError, Option } from "commander";
import { scanPath, type ScanResult } from "./scan.js";
import { formatJson } from "./format/json.js";
import { formatStylish } from "./format/stylish.js";
import { writeAtomic } from "./output.js";
import { packageRoot, VERSION } from "./version.js";
import { RULES, findRule } from "../rules/index.js";
import { ROLES, type Role } from "./types.js";

export const EXIT_CLEAN = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;

class UsageError extends Error {}

function ruleDir(id: string): string {
  const r = findRule(id);
  if (!r) throw new UsageError(`unknown rule "${id}"; "rorlint rules" lists them`);
  return join(packageRoot(), "rules", `${r.id}-${r.name}`);
}

async function emit(text: string, output: string | undefined): Promise<void> {
  if (output) await writeAtomic(output, text);
  else process.stdout.write(text);
}

export function buildCli(): Command {
  const program = new Command();
  program.name("rorlint").description("Finds what breaks when a Linux root filesystem is mounted read-only.").version(VERSION).exitOverride().showHelpAfterError();

  program
    .command("scan")
    .description("scan root filesystems, directories of scripts, or single files")
    .argument("<path...>", "an unpacked root filesystem, a directory of scripts, or a file")
    .addOption(new Option("-f, --format <format>", "output format").choices(["stylish", "json"]).default("stylish"))
    .option("-o, --output <file>", "write the report to a file (atomically) instead of stdout")
    .addOption(new Option("--role <role>", "role of scripts whose location gives none").choices(ROLES as string[]))
    .action(async (paths: string[], opts: { format: string; output?: string; role?: Role }) => {
      const results: ScanResult[] = [];
      let failed = 0;
      for (const p of paths) {
        try {
          results.push(await scanPath(p, { role: opts.role }));
        } catch (err) {
          failed++;
          process.stderr.write(`rorlint: ${p}: ${(err as Error).message}\n`);
        }
      }
      if (results.length === 0) {
        process.exitCode = EXIT_ERROR;
        return;
      }
      await emit(opts.format === "json" ? formatJson(results) : formatStylish(results), opts.output);
      const found = results.some((r) => r.findings.length > 0);
      process.exitCode = failed > 0 ? EXIT_ERROR : found ? EXIT_FINDINGS : EXIT_CLEAN;
    });

  program
    .command("rules")
    .description("list the rules")
    .action(() => {
      const width = Math.max(...RULES.map((r) => r.name.length));
      for (const r of RULES) process.stdout.write(`${r.id}  ${r.name.padEnd(width)}  ${r.level.padEnd(7)}  ${r.summary}\n`);
    });

  program
    .command("explain")
    .description("print a rule's documentation")
    .argument("<rule>", "rule id or name, e.g. ROR101 or remount-root-rw")
    .action((id: string) => {
      process.stdout.write(readFileSync(join(ruleDir(id), "docs.md"), "utf8"));
    });

  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildCli();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT_CLEAN;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT_CLEAN : EXIT_ERROR;
    }
    process.stderr.write(`rorlint: ${(err as Error).message}\n`);
    return EXIT_ERROR;
  }
}

process.exitCode = await main(process.argv);
