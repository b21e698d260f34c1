// Prisma's migration checksum: the lowercase hex SHA-256 of migration.sql as stored, matched with
// Prisma's tolerance for line endings changed by git (CRLF <-> LF) and for the unpadded hex that old
// Prisma versions recorded.
import { createHash } from "node:crypto";

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest();

/** The checksum Prisma records for `script`. */
export function checksumOf(script: string): string {
  return sha256(script).toString("hex");
}

/** Whether `script` matches a recorded checksum, as Prisma decides it. */
export function matchesChecksum(script: string, recorded: string): boolean {
  // Built one at a time: the first (the file as stored) nearly always decides it.
  const variants = [() => script, () => script.replaceAll("\r\n", "\n"), () => script.replaceAll("\n", "\r\n")];
  return variants.some((make) => {
    const variant = make();
    const digest = sha256(variant);
    // Prisma once wrote each byte without zero padding; such checksums are shorter than 64 characters.
    const rendered = recorded.length !== 64 ? [...digest].map((byte) => byte.toString(16)).join("") : digest.toString("hex");
    return rendered === recorded;
  });
}
