/**
 * The walk of a syntax tree that the conversion (`syntax.ts`) makes: one
 * tree cursor, asked for each node's type, field and offsets.
 *
 * web-tree-sitter keeps a cursor's state in JavaScript. Each of its cursor
 * calls copies that state into a transfer buffer in WebAssembly memory, one
 * number at a time through Emscripten's generic `setValue`, calls the
 * binding, and copies the state back the same way. The binding itself needs
 * none of that between calls: every move leaves the new state in the
 * transfer buffer, where the next call reads it. So `BindingWalk` calls the
 * binding's functions directly, and copies the state in once when the walk
 * starts and out once when it ends. On the 299 shell files of the Debian 12
 * tree (135,000 nodes, four questions and one or two moves per node) that
 * walk takes 55 ms, against 110-140 ms through the cursor's own methods.
 *
 * The binding's functions are not web-tree-sitter's documented interface:
 * they are the exports of its Emscripten module, which Emscripten adds to
 * the options object given to `Parser.init` (`bindingOptions`). So the
 * parser checks them before it uses them (`checkBinding`): the same walk of
 * a small script with errors, fields and every kind of move, made both ways,
 * must give the same answers. If the functions are missing or answer
 * otherwise (a later web-tree-sitter), `PublicWalk` does the same through
 * the cursor's methods: slower, never different. (package.json names the
 * one web-tree-sitter version this was tested with, not a range.)
 *
 * While a `BindingWalk` is open, nothing else may call into web-tree-sitter:
 * every call uses the same transfer buffer, and a cursor state overwritten
 * there would lead the next move into freed memory. A conversion asks
 * what it needs of the root before it opens the walk, is synchronous, and
 * asks the walk only (a node's errors, which need the buffer too, are read
 * with the state saved and put back).
 */
import type { Node, Tree, TreeCursor } from "web-tree-sitter";

/** What the conversion asks of a cursor. */
export interface Walk {
  /** The node's type id, as `TreeCursor.nodeTypeId`. */
  typeId(): number;
  /** The node's field id in its parent (0: none), as `TreeCursor.currentFieldId`. */
  fieldId(): number;
  startIndex(): number;
  endIndex(): number;
  firstChild(): boolean;
  nextSibling(): boolean;
  parent(): boolean;
  /** Whether there is an error in or under the node (`Node.hasError`). */
  hasError(): boolean;
  /** Moves to the node at `index` in a preorder walk from the root (`TreeCursor.gotoDescendant`). */
  goto(index: number): void;
  /** Ends the walk and frees the cursor. */
  close(): void;
}

/** The exports of web-tree-sitter's Emscripten module that a walk uses. */
interface Binding {
  HEAP32: Int32Array;
  _ts_init(): number;
  _ts_tree_cursor_current_node_type_id_wasm(tree: number): number;
  _ts_tree_cursor_current_field_id_wasm(tree: number): number;
  _ts_tree_cursor_start_index_wasm(tree: number): number;
  _ts_tree_cursor_end_index_wasm(tree: number): number;
  _ts_tree_cursor_goto_first_child_wasm(tree: number): number;
  _ts_tree_cursor_goto_next_sibling_wasm(tree: number): number;
  _ts_tree_cursor_goto_parent_wasm(tree: number): number;
  _ts_tree_cursor_goto_descendant_wasm(tree: number, index: number): void;
  _ts_tree_cursor_current_node_wasm(tree: number): void;
  _ts_node_has_error_wasm(tree: number): number;
}

const FUNCTIONS = [
  "_ts_init",
  "_ts_tree_cursor_current_node_type_id_wasm",
  "_ts_tree_cursor_current_field_id_wasm",
  "_ts_tree_cursor_start_index_wasm",
  "_ts_tree_cursor_end_index_wasm",
  "_ts_tree_cursor_goto_first_child_wasm",
  "_ts_tree_cursor_goto_next_sibling_wasm",
  "_ts_tree_cursor_goto_parent_wasm",
  "_ts_tree_cursor_goto_descendant_wasm",
  "_ts_tree_cursor_current_node_wasm",
  "_ts_node_has_error_wasm",
] as const;

/** Numbers in a cursor's state (web-tree-sitter keeps them at the cursor's indices 0-3). */
const CURSOR_INTS = 4;

/** The binding and its transfer buffer (an index into HEAP32), once checked (`checkBinding`); null: use the cursor's methods. */
let checked: { binding: Binding; buffer: number } | null = null;
/** Turned off by `bindingWalks(false)`. */
let enabled = true;

/** The options object for `Parser.init`: Emscripten fills it with the module's exports. */
export function bindingOptions(): Record<string, unknown> {
  return {};
}

/** A tree's or a cursor's internal numbers (web-tree-sitter keeps the tree's address at index 0). */
const ints = (o: Tree | TreeCursor) => o as unknown as Record<number, number>;

/** Walks with the cursor's own methods. */
class PublicWalk implements Walk {
  constructor(private readonly cursor: TreeCursor) {}
  typeId(): number {
    return this.cursor.nodeTypeId;
  }
  fieldId(): number {
    return this.cursor.currentFieldId;
  }
  startIndex(): number {
    return this.cursor.startIndex;
  }
  endIndex(): number {
    return this.cursor.endIndex;
  }
  firstChild(): boolean {
    return this.cursor.gotoFirstChild();
  }
  nextSibling(): boolean {
    return this.cursor.gotoNextSibling();
  }
  parent(): boolean {
    return this.cursor.gotoParent();
  }
  hasError(): boolean {
    return this.cursor.currentNode.hasError;
  }
  goto(index: number): void {
    this.cursor.gotoDescendant(index);
  }
  close(): void {
    this.cursor.delete();
  }
}

/** Walks with direct calls into the binding, the cursor's state left in the transfer buffer (see the module comment). */
class BindingWalk implements Walk {
  private readonly tree: number;
  constructor(
    private readonly cursor: TreeCursor,
    tree: Tree,
    private readonly b: Binding,
    private readonly buffer: number,
  ) {
    this.tree = ints(tree)[0]!;
    this.load();
  }
  /** The cursor's state into the transfer buffer. */
  private load(): void {
    const heap = this.b.HEAP32;
    const c = ints(this.cursor);
    for (let i = 0; i < CURSOR_INTS; i++) heap[this.buffer + i] = c[i]!;
  }
  typeId(): number {
    return this.b._ts_tree_cursor_current_node_type_id_wasm(this.tree);
  }
  fieldId(): number {
    return this.b._ts_tree_cursor_current_field_id_wasm(this.tree);
  }
  startIndex(): number {
    return this.b._ts_tree_cursor_start_index_wasm(this.tree);
  }
  endIndex(): number {
    return this.b._ts_tree_cursor_end_index_wasm(this.tree);
  }
  firstChild(): boolean {
    return this.b._ts_tree_cursor_goto_first_child_wasm(this.tree) === 1;
  }
  nextSibling(): boolean {
    return this.b._ts_tree_cursor_goto_next_sibling_wasm(this.tree) === 1;
  }
  parent(): boolean {
    return this.b._ts_tree_cursor_goto_parent_wasm(this.tree) === 1;
  }
  hasError(): boolean {
    // The node takes the transfer buffer: the cursor's state is put back after.
    const heap = this.b.HEAP32;
    const saved = heap.slice(this.buffer, this.buffer + CURSOR_INTS);
    this.b._ts_tree_cursor_current_node_wasm(this.tree);
    const result = this.b._ts_node_has_error_wasm(this.tree) === 1;
    this.b.HEAP32.set(saved, this.buffer);
    return result;
  }
  goto(index: number): void {
    this.b._ts_tree_cursor_goto_descendant_wasm(this.tree, index);
  }
  close(): void {
    // The state back into the cursor, which frees itself from it.
    const heap = this.b.HEAP32;
    const c = ints(this.cursor);
    for (let i = 0; i < CURSOR_INTS; i++) c[i] = heap[this.buffer + i]!;
    this.cursor.delete();
  }
}

/** A walk of the tree under `node`, starting on it. */
export function walkOf(node: Node): Walk {
  const cursor = node.walk();
  return enabled && checked ? new BindingWalk(cursor, node.tree, checked.binding, checked.buffer) : new PublicWalk(cursor);
}

/** Visits every node under the walk's start, in preorder (`visit` reads the node the walk is on), and ends back on it; returns how many. */
export function visitAll(walk: Walk, visit: () => void): number {
  let count = 0;
  let depth = 0;
  for (;;) {
    count++;
    visit();
    if (walk.firstChild()) {
      depth++;
      continue;
    }
    while (!walk.nextSibling()) {
      if (depth === 0) return count;
      if (!walk.parent()) throw new Error("the cursor lost its way");
      depth--;
    }
  }
}

/** Every answer of a full walk, then of a `goto` to each node: what the two ways must agree on. */
function transcript(walk: Walk): number[] {
  const out: number[] = [];
  const count = visitAll(walk, () => out.push(walk.typeId(), walk.fieldId(), walk.startIndex(), walk.endIndex(), walk.hasError() ? 1 : 0));
  for (let i = count - 1; i >= 0; i--) {
    walk.goto(i);
    out.push(walk.typeId(), walk.startIndex());
  }
  walk.close();
  return out;
}

/**
 * Script for the check: fields, keywords, nesting, an error and text after
 * it (non-ASCII, so that offsets count UTF-16 units).
 */
export const CHECK_SCRIPT = 'f() { [ -w / ] && x=${a:-"\u00e9$(b c)"} || exit 1; }\nif true; then case $1 in a|b) cat <<EOF >/x ;; esac\nEOF\nfi\nfor i do ( ; done\necho "\u00fc" > /etc/y\n';

/**
 * Takes the binding's functions from `options` (given to `Parser.init`)
 * when they answer as the cursor's methods do on `root` (a parse of
 * CHECK_SCRIPT, which the caller deletes after); else walks use the
 * cursor's methods. Returns whether the binding is used.
 */
export function checkBinding(options: Record<string, unknown>, root: Node): boolean {
  checked = null;
  if (!(options.HEAP32 instanceof Int32Array) || !FUNCTIONS.every((f) => typeof options[f] === "function")) return false;
  const binding = options as unknown as Binding;
  const candidate = { binding, buffer: binding._ts_init() >> 2 };
  try {
    const expected = transcript(new PublicWalk(root.walk()));
    const got = transcript(new BindingWalk(root.walk(), root.tree, candidate.binding, candidate.buffer));
    if (got.length === expected.length && got.every((x, i) => x === expected[i])) checked = candidate;
  } catch {
    checked = null;
  }
  return checked !== null;
}

/** The binding that passed its check, if any (for tests). */
export function checkedBinding(): Record<string, unknown> | null {
  return checked ? (checked.binding as unknown as Record<string, unknown>) : null;
}

/**
 * Whether walks call the binding directly: when it passed its check and
 * is not turned off (`on` false: tests that compare the two ways).
 */
export function bindingWalks(on?: boolean): boolean {
  if (on !== undefined) enabled = on;
  return enabled && checked !== null;
}
