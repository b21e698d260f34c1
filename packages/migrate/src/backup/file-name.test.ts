import { describe, expect, it } from "vitest";
import { backupFileName } from "./file-name.ts";

describe("backupFileName", () => {
  const at = new Date("2026-11-26T08:15:00.123Z");

  it("names the database, the UTC time to the second and the migration the run goes to", () => {
    expect(backupFileName("app", at, "up", "20261126051800_drop_post_view")).toBe("app-20261126T081500Z-before-20261126051800_drop_post_view.dump");
  });

  it("marks a rollback's backup", () => {
    expect(backupFileName("app", at, "down", "20261126051800_drop_post_view")).toBe("app-20261126T081500Z-before-down-20261126051800_drop_post_view.dump");
  });

  it("keeps path separators, spaces and leading dots out of the name", () => {
    expect(backupFileName("../my db/x", at, "up", "a/b")).toBe("__my_db_x-20261126T081500Z-before-a_b.dump");
  });
});
