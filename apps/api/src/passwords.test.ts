import { describe, expect, it } from "vitest";
import { DEFAULT_SCRYPT, hashPassword, verifyPassword } from "./passwords.ts";

const FAST = { N: 2 ** 10, r: 8, p: 1 };

describe("hashPassword / verifyPassword", () => {
  it("hashes with OWASP's scrypt cost by default, as scrypt$N$r$p$salt$hash", async () => {
    expect(DEFAULT_SCRYPT).toEqual({ N: 131_072, r: 8, p: 1 });
    const hash = await hashPassword("correct horse battery staple");
    expect(hash).toMatch(/^scrypt\$131072\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifyPassword("correct horse battery staple", hash)).toBe(true);
  });

  it("salts each hash, so equal passwords hash differently", async () => {
    const [a, b] = await Promise.all([hashPassword("same", FAST), hashPassword("same", FAST)]);
    expect(a).not.toBe(b);
    expect(await verifyPassword("same", a)).toBe(true);
    expect(await verifyPassword("same", b)).toBe(true);
  });

  it("rejects a wrong password, and Unicode is compared after NFC normalisation", async () => {
    const hash = await hashPassword("caf\u00e9", FAST);
    expect(await verifyPassword("cafe", hash)).toBe(false);
    expect(await verifyPassword("cafe\u0301", hash)).toBe(true);
  });

  it("verifies with the parameters stored in the hash, so older, cheaper hashes keep working", async () => {
    const old = await hashPassword("kept", { N: 2 ** 8, r: 4, p: 1 });
    expect(old.startsWith("scrypt$256$4$1$")).toBe(true);
    expect(await verifyPassword("kept", old)).toBe(true);
  });

  it("answers false, without throwing or allocating wildly, for stored values it does not understand", async () => {
    for (const stored of ["", "!", "plain", "bcrypt$2b$10$abc", "scrypt$1000$8$1$c2FsdA$aGFzaA", "scrypt$1073741824$8$1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA", "scrypt$1024$8$1$$aGFzaGhhc2hoYXNoaGFzaA", "scrypt$1024$8$1$c2FsdA$"]) {
      expect(await verifyPassword("anything", stored), stored).toBe(false);
    }
  });
});
