/**
 * overlayroot (Ubuntu's cloud-initramfs-tools): /etc/overlayroot.conf and
 * /etc/overlayroot.local.conf, the latter read last. `overlayroot="tmpfs"`
 * (or "tmpfs:swap=1,recurse=0") mounts the real root read-only under an
 * overlay whose upper layer is in RAM: every path becomes writable, and
 * every write is lost at reboot. "device:dev=..." and "crypt:dev=..." keep
 * the upper layer on a block device. "" or "disabled" turns it off.
 */
import type { FsView } from "../fs/view.js";
import { parseSettings, type Setting } from "./settings.js";

export interface Overlayroot {
  kind: "tmpfs" | "device" | "crypt" | "other";
  value: string;
  /** The `overlayroot=` line that decides it. */
  decidedAt: Setting;
}

export const OVERLAYROOT_FILES = ["/etc/overlayroot.conf", "/etc/overlayroot.local.conf"];

export async function readOverlayroot(view: FsView): Promise<Overlayroot | null> {
  let last: Setting | undefined;
  for (const f of OVERLAYROOT_FILES) {
    const r = await view.readText(f);
    if (!r.ok) continue;
    last = parseSettings(r.path, r.text).get("overlayroot") ?? last;
  }
  if (!last) return null;
  const value = last.value.trim();
  if (value === "" || value === "disabled") return null;
  const head = value.split(":")[0]!;
  const kind = head === "tmpfs" || head === "device" || head === "crypt" ? head : "other";
  return { kind, value, decidedAt: last };
}
