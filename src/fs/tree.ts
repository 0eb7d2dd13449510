/**
 * The index behind a filesystem view, kept compact: a tree of a few hundred
 * thousand entries must fit in a few tens of megabytes.
 *
 * Entries are numbered breadth first, the root being 0, and the children of
 * each entry are numbered consecutively, sorted by name. So an entry needs
 * no path and no list of children: its parent's number, where its name ends
 * in one string of every name, where its children start, and its type, in
 * typed arrays. A path is found by a binary search of each directory's
 * children; an entry's path is made from its parents when asked for.
 *
 * Size and mode are kept for archives, where the member headers give them
 * for free. A directory walk does not `lstat` each entry for them: they are
 * asked of the backend ({@link LazyStats}) the first time something needs
 * them (a read, a directory's mode), then kept.
 */
import type { EntryType } from "./view.js";

export interface Stat {
  size: number;
  /** Permission bits (st_mode & 0o7777). */
  mode: number;
}

/** What a backend that builds a view from a list hands over for each entry. */
export interface EntryInit {
  /** Absolute path inside the root, e.g. "/etc/init.d/rc" (normalized by the view). */
  path: string;
  type: EntryType;
  size: number;
  mode: number;
  /** Link text, for symlinks. */
  target?: string;
  /**
   * Set by a backend that saw the bytes while indexing (an archive) and found
   * a binary file: it is refused without being read again.
   */
  binary?: boolean;
}

/** Where a directory view gets the size and mode it did not keep. */
export interface LazyStats {
  /** (`path`, the entry's path in the view, when the caller has it.) */
  stat(id: number, path?: string): Stat | undefined;
}

export const ROOT = 0;
const TYPES: readonly EntryType[] = ["file", "dir", "symlink", "other"];
const TYPE_BITS = 3;
const BINARY = 4;
/** What implied directories (an archive's missing parents) and the root are. */
const IMPLIED: Stat = Object.freeze({ size: 0, mode: 0o755 });
/** Names joined into one string at a time: fewer, larger pieces than one string per name. */
const NAME_BATCH = 4096;

/** Orders strings like `Array.prototype.sort` does (by UTF-16 code unit), between `text[start, end)` and `name`. */
function compareName(text: string, start: number, end: number, name: string): number {
  const n = Math.min(end - start, name.length);
  for (let i = 0; i < n; i++) {
    const d = text.charCodeAt(start + i) - name.charCodeAt(i);
    if (d !== 0) return d;
  }
  return end - start - name.length;
}

function grown<T extends Int32Array | Uint32Array | Uint8Array | Uint16Array | Float64Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

/** Strings appended one at a time, joined in batches. */
class Text {
  private batch: string[] = [];
  private done: string[] = [];
  length = 0;

  push(s: string): void {
    this.batch.push(s);
    this.length += s.length;
    if (this.batch.length >= NAME_BATCH) {
      this.done.push(this.batch.join(""));
      this.batch = [];
    }
  }

  join(): string {
    return [...this.done, this.batch.join("")].join("");
  }
}

/**
 * Builds an index in its own order: the children of entry 0 (the root),
 * then those of entry 1, and so on. `open(id)` starts the children of `id`;
 * ids are opened in increasing order (an entry that is never opened has no
 * children).
 */
export class TreeBuilder {
  private n = 1;
  private current = -1;
  /** Entries up to this one have their `childStart` set. */
  private opened = 0;
  private parent = new Int32Array(1024);
  private nameEnd = new Uint32Array(1024);
  private childStart = new Uint32Array(1024);
  private flags = new Uint8Array(1024);
  private names = new Text();
  private linkIds = new Int32Array(256);
  private targetEnd = new Uint32Array(256);
  private links = 0;
  private targets = new Text();
  private sizes: Float64Array | undefined;
  private modes: Uint16Array | undefined;
  private readonly known = new Map<number, Stat>();

  /** @param withStats every entry comes with its size and mode (an archive); otherwise they are asked for later (a directory). */
  constructor(withStats: boolean) {
    this.parent[ROOT] = -1;
    this.flags[ROOT] = TYPES.indexOf("dir");
    if (withStats) {
      this.sizes = new Float64Array(1024);
      this.modes = new Uint16Array(1024);
      this.modes[ROOT] = IMPLIED.mode;
    }
  }

  get count(): number {
    return this.n;
  }

  open(id: number): void {
    if (id < this.opened || id >= this.n) throw new Error(`index built out of order: entry ${id} opened after ${this.opened - 1}`);
    while (this.opened <= id) this.childStart[this.opened++] = this.n;
    this.current = id;
  }

  /**
   * Adds a child to the entry last opened; children come sorted by name,
   * each name once. `stat` is needed when the builder keeps stats, and
   * otherwise kept for the few entries whose stat is known anyway.
   */
  add(name: string, type: EntryType, target?: string, stat?: Stat, binary = false): number {
    const id = this.n++;
    if (id >= this.parent.length) {
      this.parent = grown(this.parent, id + 1);
      this.nameEnd = grown(this.nameEnd, id + 1);
      this.childStart = grown(this.childStart, id + 1);
      this.flags = grown(this.flags, id + 1);
      if (this.sizes) this.sizes = grown(this.sizes, id + 1);
      if (this.modes) this.modes = grown(this.modes, id + 1);
    }
    this.parent[id] = this.current;
    this.names.push(name);
    this.nameEnd[id] = this.names.length;
    this.flags[id] = TYPES.indexOf(type) | (binary ? BINARY : 0);
    if (target !== undefined) {
      const k = this.links++;
      this.linkIds = grown(this.linkIds, k + 1);
      this.targetEnd = grown(this.targetEnd, k + 1);
      this.linkIds[k] = id;
      this.targets.push(target);
      this.targetEnd[k] = this.targets.length;
    }
    if (this.sizes && this.modes) {
      this.sizes[id] = stat?.size ?? 0;
      this.modes[id] = stat?.mode ?? 0;
    } else if (stat) this.known.set(id, stat);
    return id;
  }

  /** The index; `lazy` gives the size and mode of an entry when the builder did not keep them. */
  finish(lazy?: LazyStats): TreeIndex {
    const n = this.n;
    while (this.opened <= n) {
      this.childStart = grown(this.childStart, this.opened + 1);
      this.childStart[this.opened++] = n;
    }
    return new TreeIndex({
      parent: this.parent.slice(0, n),
      nameEnd: this.nameEnd.slice(0, n),
      childStart: this.childStart.slice(0, n + 1),
      flags: this.flags.slice(0, n),
      names: this.names.join(),
      linkIds: this.linkIds.slice(0, this.links),
      targetEnd: this.targetEnd.slice(0, this.links),
      targets: this.targets.join(),
      sizes: this.sizes?.slice(0, n),
      modes: this.modes?.slice(0, n),
      known: this.known,
      lazy,
    });
  }
}

/** An index as plain data (typed arrays and strings), to be sent to another thread: see `TreeIndex.share`. */
export type SharedIndex = Omit<Parts, "known" | "lazy"> & { known: [number, Stat][] };

interface Parts {
  parent: Int32Array;
  nameEnd: Uint32Array;
  childStart: Uint32Array;
  flags: Uint8Array;
  names: string;
  linkIds: Int32Array;
  targetEnd: Uint32Array;
  targets: string;
  sizes: Float64Array | undefined;
  modes: Uint16Array | undefined;
  known: Map<number, Stat>;
  lazy: LazyStats | undefined;
}

/** A finished index (see the module comment). Lookups are by entry number; `find` turns a path into one. */
export class TreeIndex {
  private readonly p: Parts;
  /** Stats asked of the backend so far (and those it knew while walking): the same answer every time. */
  private readonly known: Map<number, Stat>;
  /** Told of every stat that is asked for (see `FsView.recordReads`). */
  onStat: ((id: number, stat: Stat) => void) | null = null;

  constructor(parts: Parts) {
    this.p = parts;
    this.known = parts.known;
  }

  get count(): number {
    return this.p.parent.length;
  }

  /** The index as plain data, with the stats known so far (so that the other thread sees the same sizes). */
  share(): SharedIndex {
    const { known: _k, lazy: _l, ...parts } = this.p;
    return { ...parts, known: [...this.known] };
  }

  /** The index that `share` gave, asking `lazy` for the stats it did not know. */
  static fromShared(shared: SharedIndex, lazy?: LazyStats): TreeIndex {
    return new TreeIndex({ ...shared, known: new Map(shared.known), lazy });
  }

  type(id: number): EntryType {
    return TYPES[this.p.flags[id]! & TYPE_BITS]!;
  }

  binary(id: number): boolean {
    return (this.p.flags[id]! & BINARY) !== 0;
  }

  parent(id: number): number {
    return this.p.parent[id]!;
  }

  name(id: number): string {
    return id === ROOT ? "" : this.p.names.slice(this.p.nameEnd[id - 1]!, this.p.nameEnd[id]!);
  }

  /** The children of `id` are the entries from `firstChild(id)` up to (not including) `firstChild(id + 1)`. */
  firstChild(id: number): number {
    return this.p.childStart[id]!;
  }

  /** The child of `id` named `name`, or -1. */
  child(id: number, name: string): number {
    const { childStart, nameEnd, names } = this.p;
    let lo = childStart[id]!;
    let hi = childStart[id + 1]! - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareName(names, nameEnd[mid - 1]!, nameEnd[mid]!, name);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** The entry at a normalized path ("/etc/x"), without following links; -1 when there is none. */
  find(path: string): number {
    let id = ROOT;
    let start = 1;
    while (start < path.length && id >= 0) {
      let end = path.indexOf("/", start);
      if (end < 0) end = path.length;
      id = this.child(id, path.slice(start, end));
      start = end + 1;
    }
    return id;
  }

  /** The entry's path ("/" for the root). */
  path(id: number): string {
    if (id === ROOT) return "/";
    const parts: string[] = [];
    for (let i = id; i !== ROOT; i = this.p.parent[i]!) parts.push(this.name(i));
    return "/" + parts.reverse().join("/");
  }

  /** How many directories down the entry is (0 for the root). */
  depth(id: number): number {
    let d = 0;
    for (let i = id; i !== ROOT; i = this.p.parent[i]!) d++;
    return d;
  }

  /** The link text of a symlink (undefined when the link could not be read). */
  target(id: number): string | undefined {
    const { linkIds, targetEnd, targets } = this.p;
    let lo = 0;
    let hi = linkIds.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const at = linkIds[mid]!;
      if (at === id) return targets.slice(mid === 0 ? 0 : targetEnd[mid - 1]!, targetEnd[mid]!);
      if (at < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  /** Every symlink that has a target, with it, in entry order. */
  *links(): IterableIterator<[number, string]> {
    const { linkIds, targetEnd, targets } = this.p;
    for (let k = 0; k < linkIds.length; k++) yield [linkIds[k]!, targets.slice(k === 0 ? 0 : targetEnd[k - 1]!, targetEnd[k]!)];
  }

  /**
   * Size and mode: kept, or asked of the backend once (an entry it can no
   * longer see, changed since the walk, is 0 and 0).
   */
  stat(id: number): Stat {
    const { sizes, modes, lazy } = this.p;
    if (sizes && modes) return { size: sizes[id]!, mode: modes[id]! };
    if (id === ROOT) return IMPLIED;
    let st = this.known.get(id);
    if (!st) this.known.set(id, (st = lazy?.stat(id) ?? { size: 0, mode: 0 }));
    this.onStat?.(id, st);
    return st;
  }

  /**
   * Size and mode as the backend says them now, neither kept nor taken from
   * what was kept: whether an entry is still as a scan saw it. `path` is the
   * entry's path.
   */
  statNow(id: number, path: string): Stat | undefined {
    const { sizes, modes, lazy } = this.p;
    if (sizes && modes) return { size: sizes[id]!, mode: modes[id]! };
    if (id === ROOT) return IMPLIED;
    return lazy?.stat(id, path);
  }

  /**
   * Builds the index of a list of entries (an archive's members, files in
   * memory): normalized paths, the last entry for a path winning, missing
   * parents implied as directories. Also returns the symlinks in the order
   * the list first named their paths, for diagnostics in that order.
   */
  static of(entries: Iterable<EntryInit>, normalize: (path: string) => string): { tree: TreeIndex; links: { path: string; target: string }[] } {
    const byPath = new Map<string, EntryInit>();
    const childNames = new Map<string, string[]>();
    const dirname = (path: string) => {
      const i = path.lastIndexOf("/");
      return i <= 0 ? "/" : path.slice(0, i);
    };
    for (const e of entries) {
      let path = normalize(e.path);
      if (path === "/") continue;
      const isNew = !byPath.has(path);
      byPath.set(path, { ...e, path });
      if (!isNew) continue;
      // A loop rather than recursion: a member can be thousands of directories deep.
      for (;;) {
        const parent = dirname(path);
        let list = childNames.get(parent);
        if (!list) childNames.set(parent, (list = []));
        list.push(path.slice(path.lastIndexOf("/") + 1));
        if (parent === "/" || byPath.has(parent)) break;
        byPath.set(parent, { path: parent, type: "dir", ...IMPLIED });
        path = parent;
      }
    }
    const links: { path: string; target: string }[] = [];
    for (const e of byPath.values()) if (e.type === "symlink" && e.target !== undefined) links.push({ path: e.path, target: e.target });

    const builder = new TreeBuilder(true);
    // Breadth first, as the index numbers its entries.
    const queue: string[] = ["/"];
    for (let id = 0; id < queue.length; id++) {
      const dir = queue[id]!;
      const names = childNames.get(dir);
      if (!names) continue;
      builder.open(id);
      const prefix = dir === "/" ? "/" : dir + "/";
      for (const name of names.sort()) {
        const e = byPath.get(prefix + name)!;
        builder.add(name, e.type, e.type === "symlink" ? e.target : undefined, e, e.binary === true);
        queue.push(prefix + name);
      }
    }
    return { tree: builder.finish(), links };
  }
}
