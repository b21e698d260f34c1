import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { checksumOf, matchesChecksum } from "./checksum.ts";

describe("checksums, as Prisma computes and compares them", () => {
  it("is the lowercase hex SHA-256 of the file as stored", () => {
    expect(checksumOf("CREATE TABLE a (id int);\n")).toBe(createHash("sha256").update("CREATE TABLE a (id int);\n").digest("hex"));
  });

  it("matches the same script with its line endings changed by git, both ways", () => {
    const lf = "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n";
    const crlf = lf.replaceAll("\n", "\r\n");
    expect(matchesChecksum(crlf, checksumOf(lf))).toBe(true);
    expect(matchesChecksum(lf, checksumOf(crlf))).toBe(true);
  });

  it("does not match an edited script", () => {
    expect(matchesChecksum("CREATE TABLE a (id bigint);\n", checksumOf("CREATE TABLE a (id int);\n"))).toBe(false);
  });

  it("matches the unpadded hex that old Prisma versions recorded", () => {
    const script = "SELECT 1;";
    const unpadded = [...createHash("sha256").update(script).digest()].map((byte) => byte.toString(16)).join("");
    expect(unpadded.length).toBeLessThan(64);
    expect(matchesChecksum(script, unpadded)).toBe(true);
  });
});
