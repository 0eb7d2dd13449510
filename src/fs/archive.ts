/**
 * Archives as scan targets: which file names are archives, and the view of
 * each kind (tarballs in `tar.ts`, Debian packages in `deb.ts`).
 */
import type { FsView } from "./view.js";

/** bzip2 is recognised so that it gets a clear "not supported" error rather than a scan as a loose file. */
const TARBALL = /\.(tar|tar\.gz|tgz|tar\.xz|txz|tar\.zst|tzst|tar\.bz2|tbz2?)$/i;
const DEB = /\.u?deb$/i;

export function isArchivePath(path: string): boolean {
  return TARBALL.test(path) || DEB.test(path);
}

/** The view of an archive; throws when nothing at all could be read from it. (The readers load when an archive is scanned.) */
export async function openArchive(path: string): Promise<FsView> {
  return DEB.test(path) ? (await import("./deb.js")).openDeb(path) : (await import("./tar.js")).openTarball(path);
}
