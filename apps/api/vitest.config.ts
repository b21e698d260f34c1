import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["./test/global-setup.ts"],
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    pool: "forks",
    // Each file clones a migrated template database (tens of milliseconds); a schema push through the
    // WebAssembly engine takes a second or two.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
