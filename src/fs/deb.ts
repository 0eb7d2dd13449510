/**
 * Debian package backend of the filesystem view: a `.deb` is an `ar`
 * archive holding `debian-binary`, `control.tar[.gz|.xz|.zst]` and
 * `data.tar[.gz|.xz|.zst]` (deb(5)).
 *
 * The view is the tree that installing the package would create: the
 * shipped files of data.tar, plus the control members (maintainer scripts,
 * conffiles, triggers...) at `var/lib/dpkg/info/<package>.<member>`, where
 * dpkg keeps them, so that the scripts get the maintainer role. <package> is
 * `Package` from the control file (`<package>:<arch>` for `Multi-Arch: same`,
 * as dpkg names them).
 */
import { basename } from "node:path";
import { readArIndex } from "./ar.js";
import { indexTar, reportProblems, type ArchiveProblem, type TarIndex } from "./tar.js";
import { decode, FsView, type ContentSource, type EntryInit } from "./view.js";

const DPKG_INFO_DIR = "/var/lib/dpkg/info";

/** The value of a field of a control file (deb-control(5)); continuation lines are not needed here. */
function controlField(text: string, name: string): string | undefined {
  return new RegExp(`^${name}:[ \\t]*(\\S.*?)\\s*$`, "mi").exec(text)?.[1];
}

/** The name dpkg gives the package's files in its info directory. */
async function infoName(control: TarIndex, file: string, problems: ArchiveProblem[]): Promise<string> {
  const entry = control.entries.get("/control");
  const fallback = basename(file).replace(/_.*$/, "").replace(/\.u?deb$/, "");
  const bytes = entry?.type === "file" ? await control.content.read("/control", entry).catch(() => null) : null;
  const text = bytes ? decode(bytes) : "";
  const pkg = controlField(text, "Package");
  if (!pkg) {
    problems.push({ path: DPKG_INFO_DIR, code: "deb-no-package-name", message: `no Package field in the control file: maintainer scripts named after the file ("${fallback}")` });
    return fallback;
  }
  const arch = controlField(text, "Architecture");
  return controlField(text, "Multi-Arch") === "same" && arch ? `${pkg}:${arch}` : pkg;
}

/** Builds the view of a Debian binary package. */
export async function openDeb(file: string): Promise<FsView> {
  const ar = await readArIndex(file);
  const problems: ArchiveProblem[] = [];
  if (ar.error) problems.push({ path: "/", code: ar.error.truncated ? "archive-truncated" : "archive-corrupt", message: `${basename(file)}: ${ar.error.message}` });

  /** Indexes the tar member named `prefix` (any compression); its problems name the member. */
  const index = async (prefix: string): Promise<TarIndex | null> => {
    const member = ar.members.find((m) => m.name === prefix || m.name.startsWith(`${prefix}.`));
    if (!member) {
      problems.push({ path: "/", code: "deb-member-missing", message: `no ${prefix} member in the package` });
      return null;
    }
    try {
      const tar = await indexTar({ file, start: member.offset, size: member.available });
      for (const p of tar.problems) problems.push({ ...p, message: `${member.name}: ${p.message}` });
      return tar;
    } catch (err) {
      problems.push({ path: "/", code: "archive-corrupt", message: `${member.name}: ${(err as Error).message}` });
      return null;
    }
  };
  const control = await index("control.tar");
  const data = await index("data.tar");
  if (!control && !data) throw new Error(`not a readable Debian package: ${problems.map((p) => p.message).join("; ")}`);

  // Control members, moved to where dpkg keeps them.
  const entries: EntryInit[] = [...(data?.entries.values() ?? [])];
  const controlPaths = new Map<string, string>();
  if (control) {
    const name = await infoName(control, file, problems);
    for (const e of control.entries.values()) {
      if (e.type !== "file" || e.path === "/control") continue;
      const path = `${DPKG_INFO_DIR}/${name}.${basename(e.path)}`;
      controlPaths.set(path, e.path);
      entries.push({ ...e, path });
    }
  }
  const content: ContentSource = {
    read: async (path, entry) => {
      const inControl = controlPaths.get(path);
      if (inControl !== undefined) return control!.content.read(inControl, entry);
      if (!data) throw Object.assign(new Error("no data.tar in the package"), { code: "ENOENT" });
      return data.content.read(path, entry);
    },
  };
  const view = new FsView(file, entries, content);
  reportProblems(view, problems);
  return view;
}
