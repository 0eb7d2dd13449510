/**
 * Digests of rorlint's own code that its caches are keyed by (see
 * `shell/cache.ts`, `result-cache.ts`). Run unbundled, they are worked out
 * from the compiled modules beside those; the bundle (`scripts/bundle.ts`)
 * has them written in at build time, from the modules it was made of, as
 * its own files are laid out differently.
 */
export type CodeDigest = "parsing" | "scanning";

export function builtDigest(name: CodeDigest): string | undefined {
  return (globalThis as { RORLINT_CODE_DIGESTS?: Record<CodeDigest, string> }).RORLINT_CODE_DIGESTS?.[name];
}
