import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["./test/global-setup.ts"],
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    pool: "forks",
    // Each test runs the real Prisma CLI (a second or two per command) against a real server.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
