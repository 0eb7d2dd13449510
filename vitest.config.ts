import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The corpus cache holds whole root filesystems (with absolute links into the host): never search it.
    exclude: [...configDefaults.exclude, ".cache/**", "dist/**"],
    testTimeout: 30_000,
    hookTimeout: 600_000,
    pool: "forks",
  },
});
