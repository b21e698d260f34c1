import { describe, expect, it } from "vitest";
import { parseEngineArgs } from "./engine-args.ts";

describe("parseEngineArgs", () => {
  it("reads the arguments the Prisma CLI passes to its schema engine", () => {
    const args = parseEngineArgs([
      "--datamodels", "/a/schema.prisma",
      "--datamodels", "/a/more.prisma",
      "--datasource", '{"url":"postgresql://h/d","shadowDatabaseUrl":"postgresql://h/s"}',
      "--enabled-preview-features", "views",
      "--extension-types", '{"types":[]}',
    ]);
    expect(args.datamodels).toEqual(["/a/schema.prisma", "/a/more.prisma"]);
    expect(args.datasource).toEqual({ url: "postgresql://h/d", shadowDatabaseUrl: "postgresql://h/s" });
    expect(args.oneShot).toBeUndefined();
  });

  it("recognises one-shot commands and --version", () => {
    expect(parseEngineArgs(["--datasource", '{"url":"x"}', "cli", "can-connect-to-database"]).oneShot).toBe("can-connect-to-database");
    expect(parseEngineArgs(["--version"]).version).toBe(true);
  });

  it("rejects unknown flags and missing values, so a protocol change is noticed", () => {
    expect(() => parseEngineArgs(["--frobnicate"])).toThrow("Unknown argument: --frobnicate");
    expect(() => parseEngineArgs(["--datamodels"])).toThrow("Missing value after --datamodels");
  });
});
