/** Output formats, by name. A formatter turns scan results into the text of a report. */
import type { ScanResult } from "../scan.js";
import { formatJson } from "./json.js";
import { formatStylish } from "./stylish.js";

export type Formatter = (results: ScanResult[]) => string;

export const FORMATTERS: Record<string, Formatter> = {
  stylish: formatStylish,
  json: formatJson,
};
