import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["./test/global-setup.ts"],
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    pool: "forks",
    // Migration runs against a real server, some through child processes.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
