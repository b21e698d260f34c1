// Integration tests start real PostgreSQL servers (initdb takes about a second), hence the generous
// timeouts; forks give each test file its own process, so its exit hooks and servers are its own.

import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
