/**
 * The command line. Each command lives in src/commands/<name>.ts and
 * registers itself here. Exit codes: see commands/exit.ts.
 */
import "./tiering.js";
import { Command, CommanderError } from "commander";
import { VERSION } from "./version.js";
import { EXIT_CLEAN, EXIT_ERROR } from "./commands/exit.js";
import { closeParsePool } from "./shell/pool.js";
import { closeCheckPool } from "./engine/check-pool.js";

/** The commands, each loaded only when it runs (or for help, which lists them all): a scan loads no GitHub client. */
const COMMANDS: Record<string, () => Promise<{ register(program: Command): void }>> = {
  scan: () => import("./commands/scan.js"),
  rules: () => import("./commands/rules.js"),
  explain: () => import("./commands/rules.js"),
  upload: () => import("./commands/upload.js"),
  plan: () => import("./commands/plan.js"),
  report: () => import("./commands/report.js"),
  status: () => import("./commands/status.js"),
};

/** The command line; with `only`, just the command it names (what `rorlint scan ...` needs), else every command. */
export async function buildCli(only?: string): Promise<Command> {
  const program = new Command();
  program.name("rorlint").description("Finds what breaks when a Linux root filesystem is mounted read-only.").version(VERSION).exitOverride().showHelpAfterError();
  const load = only !== undefined && Object.hasOwn(COMMANDS, only) ? [COMMANDS[only]!] : [...new Set(Object.values(COMMANDS))];
  const modules = await Promise.all([...new Set(load)].map((l) => l()));
  for (const m of [...new Set(modules)]) m.register(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = await buildCli(argv[2]);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT_CLEAN;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_CLEAN : EXIT_ERROR;
    process.stderr.write(`rorlint: ${(err as Error).message}\n`);
    return EXIT_ERROR;
  } finally {
    // The workers of the scans, if any: stopped so that the process ends at once.
    await closeParsePool();
    await closeCheckPool();
  }
}

// Not a top-level await: the bundle the command line runs is a CommonJS script (see src/launch.ts).
void main(process.argv).then((code) => {
  process.exitCode = code;
});
