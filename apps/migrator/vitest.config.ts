import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["./test/global-setup.ts"],
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    pool: "forks",
    // Files run side by side (Vitest 4 would use one worker on a 2-core CI machine): each test works in
    // databases of its own, advisory locks are per database, and every wait is on a state, not a time.
    maxWorkers: "100%",
    // Every test spawns the real CLI (node + tsx, about 0.45 s of CPU each) against a real server.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
