/**
 * The progress bar of `rorlint scan`, on stderr.
 *
 * Shown only when stderr is a terminal, never with `--quiet` or
 * `--no-progress`. By default it appears once a scan has run for a second
 * (short scans stay quiet); `--progress` shows it from the start. It is
 * cleared when the scan ends, so the report that follows is not mixed with it.
 */
import { createRequire } from "node:module";
import type cliProgress from "cli-progress";

export type ProgressMode = "auto" | "always" | "never";

/** How long a scan runs before the bar appears (mode "auto"). */
export const PROGRESS_DELAY_MS = 1000;

export class ScanProgress {
  private bar: cliProgress.SingleBar | null = null;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly mode: ProgressMode = "auto",
    private readonly delayMs = PROGRESS_DELAY_MS,
  ) {}

  get enabled(): boolean {
    return this.mode !== "never" && this.stream.isTTY === true;
  }

  /** A callback for ScanOptions.onProgress for one scanned path; undefined when no bar can be shown. */
  track(label: string): ((done: number, total: number) => void) | undefined {
    if (!this.enabled) return undefined;
    const started = Date.now();
    return (done, total) => {
      if (!this.bar) {
        if (done >= total) return;
        if (this.mode === "auto" && Date.now() - started < this.delayMs) return;
        // Loaded when a bar is shown (on a terminal, after a second), not by every scan.
        const bars = createRequire(import.meta.url)("cli-progress") as typeof cliProgress;
        this.bar = new bars.SingleBar(
          {
            stream: this.stream,
            format: "scanning {target} [{bar}] {value}/{total} files | {duration_formatted}",
            barsize: 30,
            hideCursor: true,
            clearOnComplete: true,
            etaBuffer: 50,
            fps: 12,
          },
          bars.Presets.shades_classic,
        );
        this.bar.start(total, done, { target: label });
        return;
      }
      this.bar.update(done);
    };
  }

  /** Removes the bar (call when a scanned path is done, and on errors). */
  stop(): void {
    if (!this.bar) return;
    this.bar.stop();
    this.bar = null;
  }
}
