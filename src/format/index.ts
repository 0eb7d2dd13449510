/** Output formats, by name. A formatter turns scan results into the text of a report. */
import type { ScanResult } from "../scan.js";
import { formatJson } from "./json.js";
import { formatStylish } from "./stylish.js";
import { formatSarif } from "./sarif.js";
import { formatMarkdown } from "./markdown.js";
import { formatGithub } from "./github.js";

/** Options some formats use (the others ignore them). */
export interface FormatOptions {
  /** SARIF: the run's category (automationDetails.id); default `rorlint/<name of the scanned path>`. */
  category?: string;
  /** stylish: use ANSI colours (default: picocolors' own guess for stdout; see src/color.ts). */
  color?: boolean;
  /** `--quiet`: the findings are already errors only; stylish also leaves out input notes. */
  quiet?: boolean;
}

export type Formatter = (results: ScanResult[], options?: FormatOptions) => string;

export const FORMATTERS: Record<string, Formatter> = {
  stylish: formatStylish,
  json: formatJson,
  sarif: formatSarif,
  markdown: formatMarkdown,
  github: formatGithub,
};
