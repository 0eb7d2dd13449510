/** An in-memory tree as a filesystem view: for tests and for text given on the command line. */
import { FsView, type EntryInit } from "./view.js";

export type MemoryTree = Record<string, string | { symlink: string }>;

export function memoryView(files: MemoryTree, label = "<memory>"): FsView {
  const entries: EntryInit[] = [];
  const bytes = new Map<string, Buffer>();
  for (const [rel, content] of Object.entries(files)) {
    const path = "/" + rel.replace(/^\/+/, "");
    if (typeof content === "string") {
      const b = Buffer.from(content, "utf8");
      bytes.set(path, b);
      entries.push({ path, type: "file", size: b.length, mode: 0o755 });
    } else {
      entries.push({ path, type: "symlink", size: content.symlink.length, mode: 0o777, target: content.symlink });
    }
  }
  return new FsView(label, entries, { read: async (path) => bytes.get(path) ?? Buffer.alloc(0) });
}
