/** Output files are written atomically: a temporary file beside the target, then a rename. */
import { renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, basename, join } from "node:path";

/**
 * A name for a temporary file beside `path` (hidden, with the process id
 * and a random part): it is created exclusively (`wx`), so a name taken
 * fails rather than overwrites.
 */
export function tempBeside(path: string, tag: string): string {
  return join(dirname(path), `.${basename(path)}.${tag}${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
}

/**
 * Writes `content` to `path` atomically. (Synchronous calls: the output is
 * written when there is nothing else to do, and each asynchronous call
 * would wait a turn of the event loop.)
 */
export async function writeAtomic(path: string, content: string | Uint8Array): Promise<void> {
  const tmp = tempBeside(path, "");
  try {
    writeFileSync(tmp, content, { flag: "wx" });
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
