import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_PORT, localSettings } from "./local-settings.ts";
import { monorepoRoot } from "./monorepo-root.ts";

describe("localSettings", () => {
  it("keeps everything under <rootDir>/.local/postgres", () => {
    const { layout } = localSettings({ rootDir: "/srv/project", env: {} });
    expect(layout.baseDir).toBe(join("/srv/project", ".local", "postgres"));
    for (const path of [layout.dataDir, layout.socketDir, layout.logFile, layout.credentialsFile, layout.lockFile]) {
      expect(path.startsWith(`${layout.baseDir}/`)).toBe(true);
    }
  });

  it("defaults to the monorepo root, the folder holding pnpm-workspace.yaml", () => {
    expect(localSettings({ env: {} }).layout.rootDir).toBe(monorepoRoot());
    expect(monorepoRoot()).toBe(join(import.meta.dirname, "..", "..", ".."));
  });

  it("uses port 54329 and database app by default", () => {
    const settings = localSettings({ rootDir: "/x", env: {} });
    expect(settings.port).toBe(DEFAULT_PORT);
    expect(settings.port).toBe(54329);
    expect(settings.database).toBe("app");
  });

  it("takes the port from LOCAL_PG_PORT, and an explicit port over both", () => {
    expect(localSettings({ rootDir: "/x", env: { LOCAL_PG_PORT: "6000" } }).port).toBe(6000);
    expect(localSettings({ rootDir: "/x", port: 7000, env: { LOCAL_PG_PORT: "6000" } }).port).toBe(7000);
  });

  it("rejects a LOCAL_PG_PORT that is not a port, naming it", () => {
    for (const value of ["abc", "0", "70000", "54.5"]) {
      expect(() => localSettings({ rootDir: "/x", env: { LOCAL_PG_PORT: value } })).toThrow(
        expect.objectContaining({ code: "INVALID_OPTION", message: expect.stringContaining(`LOCAL_PG_PORT=${value}`) }),
      );
    }
  });

  it("rejects database names PostgreSQL would truncate", () => {
    expect(() => localSettings({ rootDir: "/x", env: {}, database: "d".repeat(64) })).toThrow(
      expect.objectContaining({ code: "INVALID_OPTION" }),
    );
  });
});
