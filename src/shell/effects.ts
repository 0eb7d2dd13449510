/**
 * Effects: what a command does to the filesystem, the mount table or the
 * hardware clock, derived from its name, options and redirections.
 * Rules ask for effects ("writes under /etc", "remounts /"), never for
 * command syntax.
 */
import type { Command, Word } from "./model.js";
import { has, parseArgs, values, type ParsedArgs } from "./options.js";

export type Effect =
  /** Creates or changes a file. `replaces`: the directory entry is replaced (rename, unlink+create, new link). */
  | { kind: "write"; command: Command; path: Word; how: string; replaces: boolean }
  | { kind: "remove"; command: Command; path: Word; how: string }
  | { kind: "mkdir"; command: Command; path: Word; parents: boolean }
  /** `mode`: "rw"/"ro" when literal, "unknown" when computed, "unset" when the remount keeps fstab's choice. */
  | { kind: "remount"; command: Command; target: Word; mode: "rw" | "ro" | "unknown" | "unset" }
  | { kind: "hwclock"; command: Command; action: string; writesRtc: boolean; writesAdjfile: boolean };

/** A path word made by the model for writes that a tool makes to a known place. */
function syntheticPath(cmd: Command, path: string): Word {
  const w = cmd.nameWord ?? cmd.args[0];
  const span = w?.span ?? cmd.span;
  const exact = !path.includes("*");
  return {
    text: path,
    span,
    value: exact ? path : null,
    prefix: exact ? path : path.slice(0, path.indexOf("*")),
    vars: [],
    configVars: [],
    resolved: false,
    file: cmd.file,
    template: undefined,
  };
}

/** Tools known to write fixed places when they run with no options that prevent it. */
const KNOWN_WRITERS: Record<string, { paths: string[]; unless?: string[]; only?: string[] }> = {
  ldconfig: { paths: ["/etc/ld.so.cache"], unless: ["p", "print-cache", "N", "C", "r", "V", "version", "help"] },
  depmod: { paths: ["/lib/modules/*"], unless: ["n", "dry-run", "b", "basedir", "V", "version", "h", "help"] },
  "update-initramfs": { paths: ["/boot/initrd.img*"], only: ["u", "c", "d"] },
  "update-grub": { paths: ["/boot/grub/grub.cfg"] },
  "update-rc.d": { paths: ["/etc/rc*"] },
  "update-alternatives": { paths: ["/etc/alternatives/*"], only: ["install", "remove", "set", "auto", "config", "all", "remove-all"] },
  "update-ca-certificates": { paths: ["/etc/ssl/certs/*"] },
  "update-locale": { paths: ["/etc/default/locale"] },
  "update-mime-database": { paths: ["/usr/share/mime/*"] },
  "update-desktop-database": { paths: ["/usr/share/applications/*"] },
  "update-icon-caches": { paths: ["/usr/share/icons/*"] },
  "fc-cache": { paths: ["/var/cache/fontconfig/*"] },
  "mandb": { paths: ["/var/cache/man/*"] },
  "locale-gen": { paths: ["/usr/lib/locale/*"] },
  "systemd-machine-id-setup": { paths: ["/etc/machine-id"] },
  "dbus-uuidgen": { paths: ["/var/lib/dbus/machine-id"], only: ["ensure"] },
  useradd: { paths: ["/etc/passwd"] },
  adduser: { paths: ["/etc/passwd"] },
  groupadd: { paths: ["/etc/group"] },
  usermod: { paths: ["/etc/passwd"] },
  chpasswd: { paths: ["/etc/shadow"] },
};

const REDIRECT_WRITES = new Set([">", ">>", ">|", "&>", "&>>", "<>", ">&", "&>|"]);

const memo = new WeakMap<Command, Effect[]>();

/** The effects of a command (computed once per command). */
export function effectsOf(cmd: Command): Effect[] {
  let effects = memo.get(cmd);
  if (!effects) {
    const out = computeEffects(cmd);
    // Kept for the scan: no effect (most commands) is one shared empty list; others exactly their length.
    memo.set(cmd, (effects = out.length === 0 ? NO_EFFECTS : out.slice()));
  }
  return effects;
}

const NO_EFFECTS = Object.freeze([]) as unknown as Effect[];

function computeEffects(cmd: Command): Effect[] {
  const out: Effect[] = [];
  for (const r of cmd.redirects) {
    if (!r.target || !REDIRECT_WRITES.has(r.op)) continue;
    // `>&2`, `>&-`: descriptor duplication, not a file.
    if (r.op === ">&" && (r.target.value === null || /^(\d+|-)$/.test(r.target.value))) continue;
    out.push({ kind: "write", command: cmd, path: r.target, how: r.op, replaces: false });
  }
  const name = cmd.name;
  if (!name) return out;
  const handler = HANDLERS[name];
  if (handler) handler(cmd, out);
  else if (KNOWN_WRITERS[name]) knownWriter(cmd, name, out);
  return out;
}

type Handler = (cmd: Command, out: Effect[]) => void;

function write(out: Effect[], cmd: Command, path: Word | undefined, how: string, replaces: boolean): void {
  if (path) out.push({ kind: "write", command: cmd, path, how, replaces });
}

/** Destination of cp/mv/install/ln: `-t DIR`, or the last operand. */
function destination(p: ParsedArgs, minOperands: number): Word | undefined {
  const t = values(p, "t", "target-directory")[0];
  if (t) return t.value ?? undefined;
  return p.operands.length >= minOperands ? p.operands[p.operands.length - 1] : undefined;
}

function sources(p: ParsedArgs): Word[] {
  return has(p, "t", "target-directory") ? p.operands : p.operands.slice(0, -1);
}

const HANDLERS: Record<string, Handler> = {
  mount(cmd, out) {
    const p = parseArgs(cmd.args, { short: "otOLUBMRNpTFX", long: ["options", "types", "test-opts", "label", "uuid", "source", "target", "bind", "move", "rbind", "namespace", "fstab", "options-mode", "options-source", "onlyonce"] });
    const opts = values(p, "o", "options");
    const tokens: { text: string; certain: boolean }[] = [];
    let unknown = false;
    for (const o of opts) {
      const text = o.text ?? o.prefix;
      const parts = text.split(",");
      parts.forEach((t, i) => {
        const certain = o.text !== null || i < parts.length - 1;
        if (t) tokens.push({ text: t, certain });
      });
      if (o.text === null) unknown = true;
    }
    if (!tokens.some((t) => t.text === "remount" && t.certain)) return;
    let mode: "rw" | "ro" | "unknown" | "unset" = "unset";
    for (const t of tokens) {
      if (t.text === "rw" || t.text === "ro") mode = t.certain ? t.text : "unknown";
    }
    for (const o of p.options) if (o.name === "w" || o.name === "rw" || o.name === "read-write") mode = "rw";
    for (const o of p.options) if (o.name === "r" || o.name === "ro" || o.name === "read-only") mode = "ro";
    // A computed option word (`remount,$rootmode`) decides the mode unless a literal one does.
    if (unknown && mode === "unset") mode = "unknown";
    const targetOpt = values(p, "target")[0]?.value;
    const target = targetOpt ?? p.operands[p.operands.length - 1];
    if (!target) return;
    out.push({ kind: "remount", command: cmd, target, mode });
  },

  hwclock(cmd, out) {
    const p = parseArgs(cmd.args, { short: "f", long: ["rtc", "adjfile", "date", "delay", "epoch", "param-get", "param-set"] });
    if (has(p, "test")) return;
    const actions: [string, string[], boolean, boolean][] = [
      ["systohc", ["w", "systohc"], true, true],
      ["set", ["set"], true, true],
      ["adjust", ["a", "adjust"], true, true],
      ["systz", ["systz"], false, false],
      ["hctosys", ["s", "hctosys"], false, false],
      ["show", ["r", "show", "get"], false, false],
    ];
    let action = "show";
    let writesRtc = false;
    let writesAdj = false;
    for (const [a, names, rtc, adj] of actions) {
      if (has(p, ...names)) {
        action = a;
        writesRtc = rtc;
        writesAdj = adj;
        break;
      }
    }
    if (has(p, "noadjfile")) writesAdj = false;
    out.push({ kind: "hwclock", command: cmd, action, writesRtc, writesAdjfile: writesAdj });
  },

  tee(cmd, out) {
    const p = parseArgs(cmd.args, { long: ["output-error"] });
    for (const f of p.operands) write(out, cmd, f, "tee", false);
  },

  sed(cmd, out) {
    const p = parseArgs(cmd.args, { short: "efl", long: ["expression", "file", "line-length"] });
    if (!p.options.some((o) => o.name === "i" || o.name === "in-place" || (o.name.startsWith("in-place")))) {
      // `-i` may be clustered after other flags, or carry a suffix (`-i.bak`): parse leniently.
      if (!cmd.args.some((a) => /^-[a-zA-Z]*i/.test(a.value ?? a.prefix) || (a.value ?? "").startsWith("--in-place"))) return;
    }
    const files = has(p, "e", "f", "expression", "file") ? p.operands : p.operands.slice(1);
    for (const f of files) write(out, cmd, f, "sed -i", true);
  },

  cp(cmd, out) {
    const p = parseArgs(cmd.args, { short: "tS", long: ["target-directory", "suffix", "backup", "sparse", "reflink", "preserve", "no-preserve"] });
    write(out, cmd, destination(p, 2), "cp", has(p, "remove-destination"));
  },

  mv(cmd, out) {
    const p = parseArgs(cmd.args, { short: "tS", long: ["target-directory", "suffix", "backup"] });
    write(out, cmd, destination(p, 2), "mv", true);
    for (const s of sources(p)) out.push({ kind: "remove", command: cmd, path: s, how: "mv" });
  },

  install(cmd, out) {
    const p = parseArgs(cmd.args, { short: "tmogSZ", long: ["target-directory", "mode", "owner", "group", "suffix", "backup", "context", "strip-program"] });
    if (has(p, "d", "directory")) {
      for (const d of p.operands) out.push({ kind: "mkdir", command: cmd, path: d, parents: true });
      return;
    }
    write(out, cmd, destination(p, 2), "install", true);
  },

  ln(cmd, out) {
    const p = parseArgs(cmd.args, { short: "tS", long: ["target-directory", "suffix", "backup"] });
    write(out, cmd, destination(p, 2), has(p, "s", "symbolic") ? "ln -s" : "ln", true);
  },

  touch(cmd, out) {
    const p = parseArgs(cmd.args, { short: "drt", long: ["date", "reference", "time"] });
    for (const f of p.operands) write(out, cmd, f, "touch", false);
  },

  truncate(cmd, out) {
    const p = parseArgs(cmd.args, { short: "sr", long: ["size", "reference"] });
    for (const f of p.operands) write(out, cmd, f, "truncate", false);
  },

  mknod(cmd, out) {
    const p = parseArgs(cmd.args, { short: "mZ", long: ["mode", "context"] });
    write(out, cmd, p.operands[0], "mknod", false);
  },

  mkfifo(cmd, out) {
    const p = parseArgs(cmd.args, { short: "mZ", long: ["mode", "context"] });
    for (const f of p.operands) write(out, cmd, f, "mkfifo", false);
  },

  dd(cmd, out) {
    for (const a of cmd.args) {
      const v = a.value ?? a.prefix;
      if (v.startsWith("of=")) {
        const path = a.value === null ? null : v.slice(3);
        out.push({ kind: "write", command: cmd, path: { ...a, value: path, prefix: v.slice(3) }, how: "dd", replaces: false });
      }
    }
  },

  rm(cmd, out) {
    const p = parseArgs(cmd.args, { long: ["interactive", "preserve-root"] });
    for (const f of p.operands) out.push({ kind: "remove", command: cmd, path: f, how: "rm" });
  },

  mkdir(cmd, out) {
    const p = parseArgs(cmd.args, { short: "mZ", long: ["mode", "context"] });
    const parents = has(p, "p", "parents");
    for (const d of p.operands) out.push({ kind: "mkdir", command: cmd, path: d, parents });
  },

  "ssh-keygen"(cmd, out) {
    const p = parseArgs(cmd.args, { short: "abCDEFfGIJjKMNnOPrSstVwYZz", long: [] });
    if (has(p, "A")) {
      write(out, cmd, syntheticPath(cmd, "/etc/ssh/ssh_host_*"), "ssh-keygen -A", false);
      return;
    }
    if (has(p, "l", "y", "F", "R", "H", "B", "Q", "L", "D", "k")) return;
    for (const f of values(p, "f")) write(out, cmd, f.value ?? undefined, "ssh-keygen", false);
  },

  "start-stop-daemon"(cmd, out) {
    const p = parseArgs(cmd.args, { short: "pxnaucgsRNPIkdrO", long: ["pidfile", "exec", "name", "startas", "user", "chuid", "group", "signal", "retry", "nicelevel", "procsched", "iosched", "umask", "chdir", "chroot", "output", "notify-timeout"] });
    if (!has(p, "S", "start") || !has(p, "m", "make-pidfile")) return;
    for (const f of values(p, "p", "pidfile")) write(out, cmd, f.value ?? undefined, "start-stop-daemon --make-pidfile", false);
  },
};

for (const name of ["chmod", "chown", "chgrp"]) {
  HANDLERS[name] = (cmd, out) => {
    const p = parseArgs(cmd.args, { long: ["reference", "from"] });
    const files = p.options.some((o) => o.name === "reference") ? p.operands : p.operands.slice(1);
    for (const f of files) write(out, cmd, f, name, false);
  };
}
HANDLERS["unlink"] = (cmd, out) => {
  for (const f of cmd.args) out.push({ kind: "remove", command: cmd, path: f, how: "unlink" });
};
HANDLERS["rmdir"] = HANDLERS["rm"]!;

/**
 * Whether a command's effects can change when the words it is called with
 * are bound (`bind.ts`): its name is made of positional parameters, or it
 * is a command whose effects depend on its arguments (a handled or known
 * writer) and an argument is, or a redirection's target is.
 */
export function effectsMayChangeWhenBound(cmd: Command): boolean {
  if (cmd.nameWord?.template) return true;
  if (cmd.redirects.some((r) => r.target?.template)) return true;
  const name = cmd.name;
  return name !== null && (Object.hasOwn(HANDLERS, name) || Object.hasOwn(KNOWN_WRITERS, name)) && cmd.args.some((a) => a.template);
}

function knownWriter(cmd: Command, name: string, out: Effect[]): void {
  const spec = KNOWN_WRITERS[name]!;
  const p = parseArgs(cmd.args);
  if (spec.unless && has(p, ...spec.unless)) return;
  if (spec.only && !has(p, ...spec.only)) return;
  for (const path of spec.paths) write(out, cmd, syntheticPath(cmd, path), name, false);
}
