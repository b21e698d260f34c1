import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    // Building the production bundles runs esbuild and a pruned pnpm install.
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
