import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  MirrorNotFoundError,
  parseDeb822Sources,
  parseOneLineSources,
  pickMirror,
  readAptSources,
  resolveMirror,
} from "../src/corpus/mirror.js";

// Made-up hosts only: the real mirror must never appear in the repository.
const MAIN = "http://mirror.example.invalid/debian";
const SECURITY = "http://mirror.example.invalid/debian-security";
const OTHER = "https://other.example.invalid/debian";

const DEB822 = `Types: deb
# ${MAIN}/some-comment
URIs: ${MAIN}
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${SECURITY}
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`;

const temporaryDirs: string[] = [];

/** A fake /etc holding the given files (paths relative to it). */
async function fakeEtc(files: Record<string, string>): Promise<string> {
  const etc = await mkdtemp(join(tmpdir(), "rorlint-mirror-"));
  temporaryDirs.push(etc);
  await mkdir(join(etc, "apt", "sources.list.d"), { recursive: true });
  for (const [path, text] of Object.entries(files)) await writeFile(join(etc, path), text);
  return etc;
}

afterEach(async () => {
  await Promise.all(temporaryDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe("parseDeb822Sources", () => {
  it("reads paragraphs, skipping comment lines", () => {
    const sources = parseDeb822Sources(DEB822, "debian.sources");
    expect(sources).toHaveLength(2);
    expect(sources[0]).toEqual({
      types: ["deb"],
      uris: [MAIN],
      suites: ["bookworm", "bookworm-updates"],
      components: ["main"],
      file: "debian.sources",
    });
    expect(sources[1]?.suites).toEqual(["bookworm-security"]);
  });

  it("joins continuation lines and drops disabled paragraphs", () => {
    const text = `Types: deb deb-src\nURIs:\n ${MAIN}\nSuites: trixie\nComponents: main contrib\n\nEnabled: no\nTypes: deb\nURIs: ${OTHER}\nSuites: trixie\nComponents: main\n`;
    const sources = parseDeb822Sources(text, "x.sources");
    expect(sources).toHaveLength(1);
    expect(sources[0]?.types).toEqual(["deb", "deb-src"]);
    expect(sources[0]?.uris).toEqual([MAIN]);
    expect(sources[0]?.components).toEqual(["main", "contrib"]);
  });
});

describe("parseOneLineSources", () => {
  it("reads deb lines with options and comments", () => {
    const text = [
      "# a comment",
      `deb [ arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg ] ${MAIN} bookworm main contrib # trailing`,
      `deb-src ${MAIN} bookworm main`,
      "",
      "not a source line",
    ].join("\n");
    expect(parseOneLineSources(text, "sources.list")).toEqual([
      { types: ["deb"], uris: [MAIN], suites: ["bookworm"], components: ["main", "contrib"], file: "sources.list" },
      { types: ["deb-src"], uris: [MAIN], suites: ["bookworm"], components: ["main"], file: "sources.list" },
    ]);
  });
});

describe("pickMirror", () => {
  it("skips the security suite even when it comes first", () => {
    const sources = parseOneLineSources(`deb ${SECURITY} bookworm-security main\ndeb ${MAIN}/ bookworm main\n`, "sources.list");
    expect(pickMirror(sources, ["bookworm"])).toEqual({ url: MAIN, file: "sources.list" });
  });

  it("ignores deb-src entries and third-party repositories without main", () => {
    const sources = parseOneLineSources(`deb-src ${OTHER} bookworm main\ndeb ${OTHER} bookworm stable\ndeb ${MAIN} bookworm main\n`, "l");
    expect(pickMirror(sources, ["bookworm"])?.url).toBe(MAIN);
  });

  it("prefers the requested suite over the host's", () => {
    const sources = parseOneLineSources(`deb ${MAIN} bookworm main\ndeb ${OTHER} trixie main\n`, "l");
    expect(pickMirror(sources, ["trixie", "bookworm"])?.url).toBe(OTHER);
    expect(pickMirror(sources, ["sid"])).toBeUndefined();
  });
});

describe("resolveMirror", () => {
  it("reads deb822 files from sources.list.d, falling back to the host's suite", async () => {
    const etc = await fakeEtc({
      "os-release": 'NAME="Debian GNU/Linux"\nVERSION_CODENAME=bookworm\n',
      "apt/sources.list.d/debian.sources": DEB822,
      "apt/sources.list.d/other.sources.disabled": `Types: deb\nURIs: ${OTHER}\nSuites: trixie\nComponents: main\n`,
    });
    const mirror = await resolveMirror({ suite: "trixie", env: {}, etcDir: etc });
    expect(mirror).toEqual({ url: MAIN, origin: "apt-sources", file: join(etc, "apt", "sources.list.d", "debian.sources") });
  });

  it("reads one-line sources.list and *.list files", async () => {
    const etc = await fakeEtc({
      "apt/sources.list": `deb ${SECURITY} bookworm-security main\n`,
      "apt/sources.list.d/debian.list": `deb ${MAIN} bookworm main\n`,
    });
    const { filesRead } = await readAptSources(etc);
    expect(filesRead).toEqual([join(etc, "apt", "sources.list"), join(etc, "apt", "sources.list.d", "debian.list")]);
    expect((await resolveMirror({ suite: "bookworm", env: {}, etcDir: etc })).url).toBe(MAIN);
  });

  it("lets RORLINT_MIRROR override the apt sources, and --mirror override both", async () => {
    const etc = await fakeEtc({ "apt/sources.list.d/debian.sources": DEB822 });
    const env = { RORLINT_MIRROR: OTHER };
    expect(await resolveMirror({ suite: "bookworm", env, etcDir: etc })).toEqual({ url: OTHER, origin: "environment" });
    const option = "http://option.example.invalid/debian";
    expect(await resolveMirror({ suite: "bookworm", env, option, etcDir: etc })).toEqual({ url: option, origin: "option" });
  });

  it("names the files it looked at when no mirror is found", async () => {
    const etc = await fakeEtc({ "apt/sources.list.d/debian.sources": DEB822.replaceAll("bookworm", "sid") });
    const attempt = resolveMirror({ suite: "trixie", env: {}, etcDir: etc });
    await expect(attempt).rejects.toBeInstanceOf(MirrorNotFoundError);
    await expect(attempt).rejects.toThrow(join(etc, "apt", "sources.list.d", "debian.sources"));
    await expect(attempt).rejects.toThrow("RORLINT_MIRROR");
  });
});
