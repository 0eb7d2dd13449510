/**
 * RPM `.spec` files: scriptlets (`%pre`, `%post`, `%preun`, `%postun`,
 * `%pretrans`, `%posttrans`, triggers...) as embedded shell, and where
 * `%install` puts the spec's own sources (`install -m755 %{SOURCE1}
 * %{buildroot}%{_sysconfdir}/cron.daily/foo`).
 *
 * A scriptlet is masked out of the spec (see text.ts). Inside it, `%%` is
 * `%`, a macro with a known value (`%{name}`, `%{_sysconfdir}` ...) is
 * replaced by that value, any other `%{...}`, `%(...)` or conditional macro
 * by an unset variable (an unknown word), and lines that are rpm directives
 * (`%if`, `%else`, `%endif`, a macro call such as `%systemd_post foo`)
 * by the no-op `:`. A plain `%word` that is no known macro stays as it is,
 * as rpm leaves it (`date +%Y`).
 */
import { MaskBuilder, UNKNOWN_VALUE, type Masked } from "./text.js";
import { buildCommands, normalizeAbs, pairsOf } from "./install.js";

const SECTIONS = new Set([
  "package", "description", "prep", "build", "install", "check", "clean", "files", "changelog",
  "pre", "post", "preun", "postun", "pretrans", "posttrans", "preuntrans", "postuntrans", "verifyscript",
  "triggerprein", "triggerin", "triggerun", "triggerpostun",
  "filetriggerin", "filetriggerun", "filetriggerpostun", "transfiletriggerin", "transfiletriggerun", "transfiletriggerpostun",
  "sepolicy", "generate_buildrequires", "conf", "patchlist", "sourcelist",
]);

/** Sections whose body runs on the target system when packages are installed, upgraded or removed. */
const SCRIPTLETS = new Set([
  "pre", "post", "preun", "postun", "pretrans", "posttrans", "preuntrans", "postuntrans", "verifyscript",
  "triggerprein", "triggerin", "triggerun", "triggerpostun",
  "filetriggerin", "filetriggerun", "filetriggerpostun", "transfiletriggerin", "transfiletriggerun", "transfiletriggerpostun",
]);

const PATH_MACROS: Record<string, string> = {
  _prefix: "/usr",
  _exec_prefix: "/usr",
  _bindir: "/usr/bin",
  _sbindir: "/usr/sbin",
  _libexecdir: "/usr/libexec",
  _datadir: "/usr/share",
  _datarootdir: "/usr/share",
  _sysconfdir: "/etc",
  _localstatedir: "/var",
  _sharedstatedir: "/var/lib",
  _var: "/var",
  _rundir: "/run",
  _tmppath: "/var/tmp",
  _lib: "lib64",
  _libdir: "/usr/lib64",
  _prefix_lib: "/usr/lib",
  _includedir: "/usr/include",
  _mandir: "/usr/share/man",
  _infodir: "/usr/share/info",
  _docdir: "/usr/share/doc",
  _defaultdocdir: "/usr/share/doc",
  _initddir: "/etc/rc.d/init.d",
  _initrddir: "/etc/rc.d/init.d",
  _unitdir: "/usr/lib/systemd/system",
  _userunitdir: "/usr/lib/systemd/user",
  _presetdir: "/usr/lib/systemd/system-preset",
  _tmpfilesdir: "/usr/lib/tmpfiles.d",
  _sysusersdir: "/usr/lib/sysusers.d",
  _udevrulesdir: "/usr/lib/udev/rules.d",
  _modulesloaddir: "/usr/lib/modules-load.d",
  _sysctldir: "/usr/lib/sysctl.d",
  _logrotatedir: "/etc/logrotate.d",
  _fillupdir: "/usr/share/fillup-templates",
};

export interface Scriptlet {
  /** "post", "triggerin" ... */
  section: string;
  /** The header line, e.g. "%post -n foo-server". */
  header: string;
  line: number;
  /** null when skipped (another interpreter); `note` says why. */
  masked: Masked | null;
  interpreter: string;
  note?: string;
}

export interface Spec {
  name: string | null;
  macros: Map<string, string>;
  /** SourceN -> file name. */
  sources: Map<string, string>;
  scriptlets: Scriptlet[];
  /** The %install section's text (for install mapping). */
  install: string;
}

interface Section {
  name: string;
  args: string;
  headerStart: number;
  bodyStart: number;
  end: number;
  line: number;
}

export function parseSpec(text: string): Spec {
  const macros = new Map<string, string>();
  const sources = new Map<string, string>();
  const sections: Section[] = [];
  let name: string | null = null;
  let off = 0;
  let lineNo = 0;
  let current: Section | null = null;
  for (const raw of text.split("\n")) {
    lineNo++;
    const start = off;
    off += raw.length + 1;
    const line = raw.replace(/\r$/, "");
    const head = /^%([A-Za-z_]+)\b(.*)$/.exec(line);
    if (head && SECTIONS.has(head[1]!)) {
      if (current) current.end = start;
      current = { name: head[1]!, args: head[2]!.trim(), headerStart: start, bodyStart: Math.min(off, text.length), end: text.length, line: lineNo };
      sections.push(current);
      continue;
    }
    if (current) continue;
    const tag = /^([A-Za-z][A-Za-z0-9]*)\s*:\s*(.*?)\s*$/.exec(line);
    if (tag) {
      const key = tag[1]!.toLowerCase();
      if (key === "name") name = tag[2]!;
      if (key === "name" || key === "version" || key === "release" || key === "epoch" || key === "summary" || key === "url") macros.set(key, tag[2]!);
      const src = /^source(\d*)$/.exec(key);
      if (src) sources.set(`SOURCE${src[1] || "0"}`, tag[2]!.replace(/.*\//, "").replace(/#.*$/, ""));
    }
    const def = /^%(?:define|global)\s+([A-Za-z_][A-Za-z0-9_]*)\s+(.*?)\s*$/.exec(line);
    if (def && !def[2]!.endsWith("\\")) macros.set(def[1]!, def[2]!);
  }
  // Macro values may use other macros: expand them (a few rounds are enough for real specs).
  for (let round = 0; round < 4; round++) for (const [k, v] of macros) macros.set(k, expandValue(v, macros, () => UNKNOWN_VALUE));
  const scriptlets: Scriptlet[] = [];
  let install = "";
  for (const s of sections) {
    if (s.name === "install") install += text.slice(s.bodyStart, s.end) + "\n";
    if (!SCRIPTLETS.has(s.name)) continue;
    const header = text.slice(s.headerStart, s.bodyStart).replace(/\n$/, "");
    const prog = programOf(s.args);
    const base = { section: s.name, header, line: s.line };
    if (prog !== null && !/^(\/usr)?\/bin\/(ba|da)?sh$/.test(prog)) {
      const note = prog === "<lua>" ? `%${s.name} is a Lua scriptlet (-p <lua>): not shell, not checked` : `%${s.name} runs ${prog} (-p), not shell: not checked`;
      scriptlets.push({ ...base, masked: null, interpreter: prog, note });
      continue;
    }
    scriptlets.push({ ...base, masked: maskScriptlet(text, s.bodyStart, s.end, macros), interpreter: prog?.endsWith("bash") ? "bash" : "sh" });
  }
  return { name, macros, sources, scriptlets, install };
}

/** The `-p PROGRAM` of a scriptlet header, or null for the default shell. */
function programOf(args: string): string | null {
  const words = args.split(/\s+/).filter(Boolean);
  for (let i = 0; i < words.length; i++) {
    if (words[i] === "--") break;
    if (words[i] === "-p") return words[i + 1] ?? null;
    if (words[i]!.startsWith("-p") && words[i]!.length > 2) return words[i]!.slice(2);
  }
  return null;
}

function known(name: string, macros: Map<string, string>): string | undefined {
  return macros.get(name) ?? PATH_MACROS[name];
}

/** The end (exclusive) of a `%{...}` or `%(...)` macro starting at `i`, nested braces counted. */
function macroEnd(text: string, i: number): number {
  const open = text[i + 1]!;
  const close = open === "{" ? "}" : ")";
  let depth = 0;
  for (let k = i + 1; k < text.length; k++) {
    const c = text[k]!;
    if (c === "\n") return -1;
    if (c === open) depth++;
    else if (c === close && --depth === 0) return k + 1;
  }
  return -1;
}

/** Expands macros in a value string (no masking): known values, `unknown()` for the rest. */
export function expandValue(text: string, macros: Map<string, string>, unknown: (raw: string) => string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== "%") {
      out += c;
      continue;
    }
    const n = text[i + 1];
    if (n === "%") {
      out += "%";
      i++;
      continue;
    }
    if (n === "{" || n === "(") {
      const end = macroEnd(text, i);
      if (end < 0) {
        out += c;
        continue;
      }
      const inner = text.slice(i + 2, end - 1);
      const v = n === "{" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(inner) ? known(inner, macros) : undefined;
      out += v ?? unknown(text.slice(i, end));
      i = end - 1;
      continue;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1));
    const v = m ? known(m[0], macros) : undefined;
    if (m && v !== undefined) {
      out += v;
      i += m[0].length;
    } else out += c;
  }
  return out;
}

function maskScriptlet(text: string, start: number, end: number, macros: Map<string, string>): Masked {
  const b = new MaskBuilder(text);
  b.mask(start);
  let off = start;
  while (off < end) {
    let eol = text.indexOf("\n", off);
    if (eol < 0 || eol > end) eol = end;
    const line = text.slice(off, eol);
    if (/^\s*%/.test(line) && !/^\s*%[{(%]/.test(line)) {
      // An rpm directive or macro call on a line of its own: a no-op command in the shell's view.
      const at = off + line.indexOf("%");
      b.mask(at).replace(eol, ":" + " ".repeat(Math.max(0, eol - at - 1)));
    } else {
      b.mask(off);
      copyExpanding(b, text, off, eol, macros);
    }
    b.copy(Math.min(eol + 1, end, text.length));
    off = eol + 1;
  }
  return b.finish();
}

/** Copies text[from, to) into the builder, replacing macros (same rules as expandValue). */
function copyExpanding(b: MaskBuilder, text: string, from: number, to: number, macros: Map<string, string>): void {
  for (let i = from; i < to; i++) {
    if (text[i] !== "%") continue;
    const n = text[i + 1];
    if (n === "%") {
      b.copy(i).replace(i + 2, "%");
      i++;
      continue;
    }
    if (n === "{" || n === "(") {
      const end = macroEnd(text, i);
      if (end < 0 || end > to) continue;
      const inner = text.slice(i + 2, end - 1);
      const v = n === "{" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(inner) ? known(inner, macros) : undefined;
      b.copy(i).replace(end, v ?? UNKNOWN_VALUE);
      i = end - 1;
      continue;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1, to));
    const v = m ? known(m[0], macros) : undefined;
    if (m && v !== undefined) {
      b.copy(i).replace(i + 1 + m[0].length, v);
      i += m[0].length;
    }
  }
  b.copy(to);
}

/** Where %install puts the spec's sources: source file name -> installed path. */
export async function specInstalls(spec: Spec): Promise<{ src: string; dest: string }[]> {
  if (!spec.install.trim()) return [];
  const macros = new Map(spec.macros);
  macros.set("buildroot", "/.rorlint-pkgroot");
  macros.set("_sourcedir", "/.rorlint-srcdir");
  for (const [k, v] of spec.sources) {
    macros.set(k, `/.rorlint-srcdir/${v}`);
    macros.set(`S:${k.slice(6)}`, `/.rorlint-srcdir/${v}`);
  }
  let expanded = spec.install.replace(/%\{S:(\d+)\}/g, (_m, n: string) => `%{SOURCE${n}}`);
  expanded = expanded
    .split("\n")
    .map((l) => (/^\s*%/.test(l) && !/^\s*%[{(%]/.test(l) ? ":" : expandValue(l, macros, () => UNKNOWN_VALUE)))
    .join("\n");
  const commands = await buildCommands(expanded, () => false, "RPM_BUILD_ROOT=/.rorlint-pkgroot; RPM_SOURCE_DIR=/.rorlint-srcdir");
  return pairsOf(commands).map((p) => ({ src: p.src.startsWith("/.rorlint-srcdir/") ? p.src.slice("/.rorlint-srcdir/".length) : p.src, dest: normalizeAbs(p.dest) }));
}
