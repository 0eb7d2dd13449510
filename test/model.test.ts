/**
 * The shell model: names through wrappers, values through quotes and
 * constants, option parsing, guards, functions, sourced libraries, and
 * grammar gaps.
 */
import { describe, expect, it, vi } from "vitest";
import { memoryView, type MemoryTree } from "../src/fs/memory.js";
import { buildModel, parseScript, Program, ScriptCache } from "../src/shell/program.js";
import { effectsOf, type Effect } from "../src/shell/effects.js";
import { classify } from "../src/shell/guards.js";
import type { Role } from "../src/types.js";

async function program(code: string, extra: MemoryTree = {}, roles: Role[] = ["boot"], path = "/etc/rc.local"): Promise<Program> {
  const view = memoryView({ [path.slice(1)]: code, ...extra });
  const cache = new ScriptCache(view);
  const script = await parseScript(code);
  const model = await buildModel(path, script, code.split("\n").length, cache);
  return new Program(model, new Set(roles), "sh");
}

async function effects(code: string, extra: MemoryTree = {}): Promise<Effect[]> {
  return [...(await program(code, extra)).runtimeEffects()].map((e) => e.effect);
}

describe("command names", () => {
  it("resolve through paths and wrappers", async () => {
    const p = await program("/bin/mount a\nbusybox mount b\ncommand mount c\nexec mount d\nenv -i A=1 mount e\nnice -n 5 mount f\nnohup mount g\nnice -10 timeout 5 /usr/bin/env mount h\n");
    expect(p.model.commands.map((c) => [c.name, c.args.map((a) => a.value).join(" ")])).toEqual(
      ["a", "b", "c", "d", "e", "f", "g", "h"].map((x) => ["mount", x]),
    );
  });

  it("`command -v` is a query, not a call", async () => {
    const p = await program("command -v mount >/dev/null\n");
    expect(p.model.commands[0]!.name).toBeNull();
  });
});

describe("word values", () => {
  it("are known through quotes, concatenation and constants", async () => {
    const p = await program('D=/var/lib\nN="my app"\necho "$D/${N}"\'-x\'$D"\n');
    expect(p.model.commands[0]!.args[0]!.value).toBe("/var/lib/my app-x/var/lib");
  });

  it("follow defaults, assignments by default, and pattern trimming", async () => {
    const p = await program(': ${PIDDIR:=/run/foo}\nF=/etc/foo.conf\necho ${UNSET_CFG:-/var/x} $PIDDIR ${F%.conf} ${F#/etc/} ${F##*/}\n', {}, ["boot"]);
    const args = p.model.commands[1]!.args.map((a) => a.value);
    expect(args).toEqual(["/var/x", "/run/foo", "/etc/foo", "foo.conf", "foo.conf"]);
  });

  it("are unknown when a branch changes them, but keep a known prefix", async () => {
    const p = await program('if x; then D=/a; else D=/b; fi\necho $D "/var/run/$NAME.pid"\n');
    const [d, pid] = p.model.commands.at(-1)!.args;
    expect(d!.value).toBeNull();
    expect(pid!.value).toBeNull();
    expect(pid!.prefix).toBe("/var/run/");
  });

  it("take `local` and `readonly` values, and values from a sourced /etc/default file", async () => {
    const code = ". /etc/default/foo\nf() {\n  local dir=/var/lib/foo\n  readonly LOG=/var/log/foo\n  echo $dir $LOG $FOO_DIR\n}\nf\n";
    const p = await program(code, { "etc/default/foo": "FOO_DIR=/srv/foo\n" });
    const echo = p.model.commands.find((c) => c.name === "echo")!;
    expect(echo.args.map((a) => a.value)).toEqual(["/var/lib/foo", "/var/log/foo", "/srv/foo"]);
    expect(echo.args[2]!.configVars).toEqual(["FOO_DIR"]);
  });

  it("models $(readlink -f X) as X resolved inside the root", async () => {
    const p = await program("r=$(readlink -f /etc/resolv.conf)\necho $r\n", { "etc/resolv.conf": { symlink: "../run/resolvconf/resolv.conf" } });
    const w = p.model.commands.at(-1)!.args[0]!;
    expect(w.value).toBe("/run/resolvconf/resolv.conf");
    expect(w.resolved).toBe(true);
  });
});

describe("options", () => {
  it("mount -n -o remount,rw /, -orw,remount and / -o remount,rw are the same remount", async () => {
    for (const line of ["mount -n -o remount,rw /", "mount -orw,remount /", "mount / -o remount,rw", "mount -o remount -w /", "mount --options=remount,rw /"]) {
      const [e] = await effects(line + "\n");
      expect(e, line).toMatchObject({ kind: "remount", mode: "rw" });
      expect(e!.kind === "remount" && e!.target.value, line).toBe("/");
    }
  });

  it("distinguishes unset, read-only and computed modes", async () => {
    const modes = await Promise.all(["mount -o remount /", "mount -o remount,ro /", "mount -o remount,$m /", "mount -oremount,$m /"].map(async (l) => (await effects(l + "\n"))[0]));
    expect(modes.map((e) => e?.kind === "remount" && e.mode)).toEqual(["unset", "ro", "unknown", "unknown"]);
  });

  it("finds the destination of cp, mv, install and ln, with -t", async () => {
    const es = await effects("cp a b /etc/x\nmv -t /etc/d a b\ninstall -m 644 a /etc/y\nln -sf /run/r /etc/resolv.conf\ninstall -d /var/lib/z\n");
    expect(es.filter((e) => e.kind === "write").map((e) => e.kind === "write" && [e.how, e.path.value, e.replaces])).toEqual([
      ["cp", "/etc/x", false],
      ["mv", "/etc/d", true],
      ["install", "/etc/y", true],
      ["ln -s", "/etc/resolv.conf", true],
    ]);
    expect(es.some((e) => e.kind === "mkdir" && e.path.value === "/var/lib/z")).toBe(true);
  });

  it("knows which hwclock calls write", async () => {
    const es = await effects("hwclock --systohc\nhwclock -w --noadjfile\nhwclock --hctosys\nhwclock -s\nhwclock --show\nhwclock --adjust\nhwclock --systohc --test\n");
    expect(es.map((e) => e.kind === "hwclock" && [e.action, e.writesRtc, e.writesAdjfile])).toEqual([
      ["systohc", true, true],
      ["systohc", true, false],
      ["hctosys", false, false],
      ["hctosys", false, false],
      ["show", false, false],
      ["adjust", true, true],
    ]);
  });
});

describe("redirections", () => {
  it("are found on simple commands, lists, pipelines, heredocs and blocks", async () => {
    const es = await effects("[ -n x ] && echo a > /etc/a\nprintf b | tee -a /etc/b > /etc/c\ncat <<EOF > /etc/d\nx\nEOF\n{ echo; } >> /etc/e\necho 2>&1 >&2\n");
    expect(es.map((e) => e.kind === "write" && e.path.value).sort()).toEqual(["/etc/a", "/etc/b", "/etc/c", "/etc/d", "/etc/e"]);
  });
});

describe("conditions", () => {
  it("record if/elif/else, case and && / || guards, outermost first", async () => {
    const p = await program('if [ "$A" = 1 ]; then x; elif [ -d /d ]; then y; else z; fi\ncase "$1" in start) s ;; esac\n[ -w /etc ] || q\n');
    const kinds = (n: string) => p.model.commands.find((c) => c.name === n)!.conditions.map((c) => [c.kind, c.when]);
    expect(kinds("x")).toEqual([["if", true]]);
    expect(kinds("y")).toEqual([["else", false], ["elif", true]]);
    expect(kinds("z")).toEqual([["else", false], ["else", false]]);
    expect(kinds("s")).toEqual([["case", true]]);
    expect(kinds("q")).toEqual([["or", false]]);
  });

  it("carry early exits to the rest of the block", async () => {
    const p = await program("[ -d /var/lib/foo ] || exit 0\necho > /var/lib/foo/x\nf() {\n  if [ ! -w /etc ]; then\n    return 1\n  fi\n  g\n}\nf\n");
    const echo = p.model.commands.find((c) => c.name === "echo")!;
    expect(echo.conditions.map((c) => [c.kind, c.when, classify(c)])).toEqual([["exit", true, "existence"]]);
    const g = p.model.commands.find((c) => c.name === "g")!;
    expect(g.conditions.map((c) => [c.kind, c.when, classify(c)])).toEqual([["exit", false, "root-mode"]]);
  });

  it("classify user configuration, root mode, existence and command success", async () => {
    const p = await program('. /etc/default/x\nif [ "$ENABLED" = yes ]; then a; fi\nif [ "$rootmode" = rw ]; then b; fi\nif grep -q ro /proc/cmdline; then c; fi\nif [ -e /x ]; then d; fi\nif pidof z; then e; fi\n', { "etc/default/x": "#ENABLED=no\n" });
    const cls = (n: string) => classify(p.model.commands.find((c) => c.name === n)!.conditions[0]!);
    expect(["a", "b", "c", "d", "e"].map(cls)).toEqual(["user-config", "root-mode", "root-mode", "existence", "success"]);
  });
});

describe("functions and libraries", () => {
  it("a write inside a sourced library function, reached from a boot script, is at the library line with the call chain", async () => {
    const p = await program(". /lib/x/functions\nsave\n", { "lib/x/functions": "# helpers\nsave() {\n  echo 1 > /etc/state\n}\n" });
    const [e] = [...p.runtimeEffects()];
    expect(e!.command.file).toBe("/lib/x/functions");
    expect(e!.command.span.line).toBe(3);
    expect(e!.chain.map((c) => [c.file, c.span.line, c.name])).toEqual([["/etc/rc.local", 2, "save"]]);
    expect(e!.roles).toEqual(["boot"]);
  });

  it("libraries sourced by name are read ahead: the script is evaluated once, and what evaluation never asks for is not taken in", async () => {
    // /lib is a link to /usr/lib: /lib/a and /usr/lib/a are one library.
    const code = ". /lib/a\n. /usr/lib/a\nsave\nunused() {\n  . /lib/never\n  . /lib/gone\n}\n";
    const tree: MemoryTree = { "etc/rc.local": code, lib: { symlink: "usr/lib" }, "usr/lib/a": ". /usr/lib/b\n", "usr/lib/b": "save() {\n  echo > /etc/b\n}\n", "usr/lib/never": "echo > /etc/never\n" };
    const build = async (preload: boolean) => {
      const cache = new ScriptCache(memoryView(tree));
      if (preload) await cache.preload(code);
      const load = vi.spyOn(cache, "load");
      const model = await buildModel("/etc/rc.local", await parseScript(code), 8, cache);
      const writes = [...new Program(model, new Set(["boot"]), "sh").runtimeEffects()].map((e) => `${e.command.file}:${e.command.span.line}`);
      return { loads: load.mock.calls.length, loaded: cache.loaded().map((l) => l.path), missing: cache.missing(), writes };
    };
    const lazily = await build(false);
    // The same model and libraries (each once), nothing missing (nothing asked for /lib/gone), and no second evaluation.
    expect(await build(true)).toEqual({ ...lazily, loads: 0 });
    expect(lazily).toEqual({ loads: 2, loaded: ["/usr/lib/a", "/usr/lib/b"], missing: [], writes: ["/usr/lib/b:2"] });
  });

  it("functions never called produce no runtime effect", async () => {
    expect(await effects("unused() {\n  echo > /etc/x\n}\n")).toEqual([]);
  });

  it("recursion and mutual recursion terminate", async () => {
    const p = await program("a() {\n  b\n  echo > /etc/a\n}\nb() {\n  a\n  b\n}\na\n");
    const writes = [...p.runtimeEffects()].filter((e) => e.effect.kind === "write");
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.length).toBeLessThan(10);
  });

  it("calls are unfolded only into functions that reach something rules or facts look at", async () => {
    // Shaped like /lib/lsb/init-functions: logging helpers that only print, and helpers that do something.
    const lib = [
      'log_msg() {\n  if [ -t 1 ]; then printf "%s" "$1"; else echo "$@" >&2; fi\n  log_end\n}',
      "log_end() {\n  echo done\n}",
      'save() {\n  log_msg saving\n  echo "$2" > "$1"\n}',
      "wrap() {\n  mount -t tmpfs tmpfs \"$1\"\n}",
      "outer() {\n  log_msg x\n  wrap /run/x\n}",
      'tool() {\n  "$1" --now\n}',
      'clock() {\n  hwclock $1\n}',
      "runs() {\n  /usr/sbin/helper start\n}",
    ].join("\n");
    const p = await program(". /lib/x/functions\nlog_msg hello\nlog_msg again\nsave /etc/state 1\nouter\ntool reboot\nclock --systohc\nruns\n", { "lib/x/functions": lib });
    const unfolded = (name: string) => p.instances.filter((i) => i.chain.some((c) => c.name === name)).map((i) => i.command.name);
    // The calls themselves are instances; the logging helpers' bodies are not unfolded (nothing there has an effect).
    expect(p.instances.filter((i) => i.chain.length === 0).map((i) => i.command.name)).toEqual([".", "log_msg", "log_msg", "save", "outer", "tool", "clock", "runs"]);
    expect(unfolded("log_msg")).toEqual([]);
    // A body with a write, a mount (through a wrapper), a command named by a parameter, a writer given a parameter
    // and a program run by its path is unfolded, with the calls in it.
    expect(unfolded("save")).toEqual(["log_msg", "echo"]);
    expect(unfolded("outer")).toEqual(["log_msg", "wrap", "mount"]);
    expect(unfolded("tool")).toEqual(["reboot"]);
    expect(unfolded("clock")).toEqual(["hwclock"]);
    expect(unfolded("runs")).toEqual(["helper"]);
    expect([...p.runtimeEffects()].map((e) => `${e.effect.kind} ${e.effect.kind === "write" ? e.effect.path.value : ""}`.trim())).toEqual(["write /etc/state", "hwclock"]);
  });

  it("init script actions: start) runs at boot, stop) at shutdown", async () => {
    const p = await program('case "$1" in\n  start) echo > /etc/s ;;\n  stop|restart) echo > /etc/t ;;\n  status) echo > /etc/u ;;\n  *) echo > /etc/v ;;\nesac\necho > /etc/w\n', {}, ["boot", "shutdown"]);
    const roles = [...p.runtimeEffects()].map((e) => [e.effect.kind === "write" && e.effect.path.value, e.roles.sort().join(",")]);
    expect(roles).toEqual([
      ["/etc/s", "boot"],
      ["/etc/t", "shutdown"],
      ["/etc/w", "boot,shutdown"],
    ]);
  });
});

describe("grammar gaps", () => {
  it("`for i do` followed by a mv onto /etc/resolv.conf is seen", async () => {
    const es = await effects("for i do\n  mv /run/new /etc/resolv.conf\ndone\n");
    expect(es.some((e) => e.kind === "write" && e.path.value === "/etc/resolv.conf" && e.replaces)).toBe(true);
  });

  it("`[ -w / ]` is a writability test of /", async () => {
    const p = await program("[ -w / ] && echo > /etc/x\n");
    const c = p.model.commands.find((x) => x.name === "echo")!.conditions[0]!;
    expect(c.test).toMatchObject({ kind: "unary", op: "-w", operand: { value: "/" } });
  });

  it("commands after an unparsable region are still seen", async () => {
    const p = await program("x=$(( 1 +\necho > /etc/after\n");
    expect(p.model.commands.some((c) => c.redirects.some((r) => r.target?.value === "/etc/after"))).toBe(true);
  });
});

describe("grammar gaps in words", () => {
  it("`$DIR/$NAME.pid` is one word, in arguments, assignments and redirections", async () => {
    const p = await program('DIR=/var/run/foo\nNAME=foo\nP=$DIR/$NAME.pid\necho > $DIR/$NAME.log\nstart-stop-daemon -S -m -p $DIR/$NAME.pid -x /bin/true\nf() {\n  local q=$DIR/$NAME.q\n  echo $P $q\n}\nf\n');
    expect(p.model.commands.map((c) => c.name)).toEqual(["echo", "start-stop-daemon", "f", "echo"]);
    expect(p.model.commands[3]!.args.map((a) => a.value)).toEqual(["/var/run/foo/foo.pid", "/var/run/foo/foo.q"]);
    const echo = p.model.commands[0]!;
    expect(echo.redirects[0]!.target!.value).toBe("/var/run/foo/foo.log");
    expect(echo.redirects[0]!.target!.text).toBe("$DIR/$NAME.log");
    const ssd = p.model.commands[1]!;
    expect(ssd.args.map((a) => a.value)).toContain("/var/run/foo/foo.pid");
  });
});
