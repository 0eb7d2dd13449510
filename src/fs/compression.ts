/**
 * Decompression of archive streams, chosen by the stream's magic bytes
 * (not by the file name): gzip (zlib, in Node), xz (xz-decompress, WASM) and
 * zstd (fzstd). Everything streams; nothing is written to disk.
 */
import { pipeline, Readable, Transform } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { createGunzip } from "node:zlib";
import { Decompress as ZstdDecompress } from "fzstd";
import xz from "xz-decompress";

export type Compression = "gzip" | "xz" | "zstd" | "bzip2" | "none";

/** Bytes needed by {@link sniffCompression}. */
export const MAGIC_BYTES = 6;

export function sniffCompression(head: Buffer): Compression {
  const starts = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  if (starts(0x1f, 0x8b)) return "gzip";
  if (starts(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) return "xz";
  if (starts(0x28, 0xb5, 0x2f, 0xfd)) return "zstd";
  if (starts(0x42, 0x5a, 0x68)) return "bzip2";
  return "none";
}

/** fzstd's streaming decoder as a Node transform (it emits whole blocks, up to 128 KiB each). */
function unzstd(): Transform {
  const t = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      try {
        d.push(chunk);
        done();
      } catch (err) {
        done(err as Error);
      }
    },
    flush(done) {
      try {
        d.push(new Uint8Array(0), true);
        done();
      } catch (err) {
        done(err as Error);
      }
    },
  });
  const d = new ZstdDecompress((out) => t.push(Buffer.from(out.buffer, out.byteOffset, out.byteLength)));
  return t;
}

/** The decompressed stream of `input` (bzip2 is recognised, not supported). An error of either stream ends the returned one. */
export function decompress(input: Readable, compression: Exclude<Compression, "bzip2">): Readable {
  switch (compression) {
    case "none":
      return input;
    case "xz":
      // (Node's and the DOM's ReadableStream types differ; at run time they are the same class.)
      return Readable.fromWeb(new xz.XzReadableStream(Readable.toWeb(input) as unknown as ReadableStream<Uint8Array>) as unknown as WebReadableStream<Uint8Array>);
    case "gzip":
      return pipeline(input, createGunzip(), () => undefined);
    case "zstd":
      return pipeline(input, unzstd(), () => undefined);
  }
}

/** Error codes of xz-embedded (xz.h), as reported by xz-decompress ("... failed with error code 8"). */
const XZ_ERRORS: Record<string, string> = {
  "5": "not in the xz format",
  "6": "unsupported xz options",
  "7": "corrupt xz data",
  "8": "unexpected end of xz data",
};

/**
 * What a stream error says about the archive, in words: whether the input
 * ended too early (a truncated file), and a message without library jargon.
 */
export function explainStreamError(err: Error): { truncated: boolean; message: string } {
  // zlib's codes are strings ("Z_BUF_ERROR"); fzstd's are numbers.
  const code = String((err as { code?: unknown }).code ?? "");
  const xzCode = /get_next_output failed with error code (\d+)/.exec(err.message)?.[1];
  if (xzCode !== undefined) return { truncated: xzCode === "8", message: XZ_ERRORS[xzCode] ?? `xz error ${xzCode}` };
  if (code === "Z_BUF_ERROR") return { truncated: true, message: "unexpected end of gzip data" };
  if (code.startsWith("Z_")) return { truncated: false, message: `corrupt gzip data (${err.message})` };
  if (/^unexpected EOF$/i.test(err.message)) return { truncated: true, message: "unexpected end of zstd data" };
  if (/^Unexpected end of data$/.test(err.message)) return { truncated: true, message: "unexpected end of tar data" };
  return { truncated: false, message: err.message };
}
