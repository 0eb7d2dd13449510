/**
 * `rorlint plan PATH...`: what a root filesystem needs in order to boot
 * read-only (tmpfiles.d lines, rwtab entries, links, fstab changes), from
 * the findings of a scan, grouped by path, each naming its reason and
 * findings. Exit codes: 0 nothing to change, 1 the plan has entries,
 * 2 usage or I/O error (or a path that is not a root filesystem).
 */
import { Option, type Command } from "commander";
import { buildPlan, type Plan } from "../plan/build.js";
import { PLAN_FORMATS } from "../plan/format.js";
import { configFor } from "../config/load.js";
import { applyRuleSettings, scanOptionsOf } from "../config/apply.js";
import { emit, scanAll } from "./scan.js";
import { EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS } from "./exit.js";

interface PlanCliOptions {
  format: string;
  output?: string;
  /** `--config FILE`, or false for `--no-config`. */
  config?: string | false;
}

async function runPlan(paths: string[], opts: PlanCliOptions): Promise<number> {
  const configs = new Map(paths.map((p) => [p, configFor(p, { ...(opts.config ? { config: opts.config } : {}), useConfig: opts.config !== false })]));
  let { results, failed } = await scanAll(paths, (p) => ({ ...scanOptionsOf(configs.get(p)!) }));
  for (const r of results) applyRuleSettings(r, configs.get(r.target)!);
  const notRoot = results.filter((r) => r.kind !== "rootfs");
  for (const r of notRoot) process.stderr.write(`rorlint: ${r.target}: not a root filesystem (no /etc with /usr, /bin or /sbin): nothing to plan\n`);
  failed += notRoot.length;
  results = results.filter((r) => r.kind === "rootfs");
  if (results.length === 0) return EXIT_ERROR;
  const plans: Plan[] = [];
  for (const r of results) plans.push(await buildPlan(r));
  await emit(PLAN_FORMATS[opts.format]!(plans), opts.output);
  if (failed > 0) return EXIT_ERROR;
  return plans.some((p) => p.entries.length > 0) ? EXIT_FINDINGS : EXIT_CLEAN;
}

export function register(program: Command): void {
  program
    .command("plan")
    .description("print what a root filesystem needs in order to boot read-only: tmpfiles.d lines, rwtab entries, links, fstab changes")
    .argument("<path...>", "an unpacked root filesystem (or an archive of one)")
    .addOption(new Option("-f, --format <format>", "output format").choices(Object.keys(PLAN_FORMATS)).default("text"))
    .option("-o, --output <file>", "write the plan to a file (atomically) instead of stdout")
    .option("-c, --config <file>", "use this configuration file instead of looking for one")
    .option("--no-config", "use no configuration file")
    .action(async (paths: string[], opts: PlanCliOptions) => {
      process.exitCode = await runPlan(paths, opts);
    });
}
