/** `rorlint scan PATH...` */
import { Option, type Command } from "commander";
import { scanPath, type ScanOptions, type ScanResult } from "../scan.js";
import { FORMATTERS } from "../format/index.js";
import { writeAtomic } from "../output.js";
import { ROLES, type Role } from "../types.js";
import { EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS } from "./exit.js";

export interface ScanCliOptions {
  format: string;
  output?: string;
  role?: Role;
}

export async function emit(text: string, output: string | undefined): Promise<void> {
  if (output) await writeAtomic(output, text);
  else process.stdout.write(text);
}

/** Scans every path; a path that cannot be read is reported on stderr and the others still run. */
export async function scanAll(paths: string[], options: ScanOptions): Promise<{ results: ScanResult[]; failed: number }> {
  const results: ScanResult[] = [];
  let failed = 0;
  for (const p of paths) {
    try {
      results.push(await scanPath(p, options));
    } catch (err) {
      failed++;
      process.stderr.write(`rorlint: ${p}: ${(err as Error).message}\n`);
    }
  }
  return { results, failed };
}

export function register(program: Command): void {
  program
    .command("scan")
    .description("scan root filesystems, directories of scripts, or single files")
    .argument("<path...>", "an unpacked root filesystem, a directory of scripts, or a file")
    .addOption(new Option("-f, --format <format>", "output format").choices(Object.keys(FORMATTERS)).default("stylish"))
    .option("-o, --output <file>", "write the report to a file (atomically) instead of stdout")
    .addOption(new Option("--role <role>", "role of scripts whose location gives none").choices(ROLES as string[]))
    .action(async (paths: string[], opts: ScanCliOptions) => {
      const { results, failed } = await scanAll(paths, { role: opts.role });
      if (results.length === 0) {
        process.exitCode = EXIT_ERROR;
        return;
      }
      await emit(FORMATTERS[opts.format]!(results), opts.output);
      const found = results.some((r) => r.findings.length > 0);
      process.exitCode = failed > 0 ? EXIT_ERROR : found ? EXIT_FINDINGS : EXIT_CLEAN;
    });
}
