/**
 * The command line. Each command lives in src/commands/<name>.ts and
 * registers itself here. Exit codes: see commands/exit.ts.
 */
import { Command, CommanderError } from "commander";
import { VERSION } from "./version.js";
import { EXIT_CLEAN, EXIT_ERROR } from "./commands/exit.js";
import * as scan from "./commands/scan.js";
import * as rules from "./commands/rules.js";
import * as upload from "./commands/upload.js";
import * as plan from "./commands/plan.js";
import * as report from "./commands/report.js";
import * as status from "./commands/status.js";

export function buildCli(): Command {
  const program = new Command();
  program.name("rorlint").description("Finds what breaks when a Linux root filesystem is mounted read-only.").version(VERSION).exitOverride().showHelpAfterError();
  for (const command of [scan, rules, upload, plan, report, status]) command.register(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildCli();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT_CLEAN;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_CLEAN : EXIT_ERROR;
    process.stderr.write(`rorlint: ${(err as Error).message}\n`);
    return EXIT_ERROR;
  }
}

process.exitCode = await main(process.argv);
