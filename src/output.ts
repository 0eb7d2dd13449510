/** Output files are written atomically: a temporary file beside the target, then a rename. */
import { promises as fsp } from "node:fs";
import { dirname, basename, join } from "node:path";

/**
 * A name for a temporary file beside `path` (hidden, with the process id
 * and a random part): it is created exclusively (`wx`), so a name taken
 * fails rather than overwrites.
 */
export function tempBeside(path: string, tag: string): string {
  return join(dirname(path), `.${basename(path)}.${tag}${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
}

export async function writeAtomic(path: string, content: string | Uint8Array): Promise<void> {
  const tmp = tempBeside(path, "");
  try {
    await fsp.writeFile(tmp, content, { flag: "wx" });
    await fsp.rename(tmp, path);
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
}
