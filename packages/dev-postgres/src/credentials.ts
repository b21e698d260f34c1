// The local server's superuser password is generated on first run and kept beside its data, so
// every later process (and `pnpm db:local url`) can build the same connection string.

import { randomBytes } from "node:crypto";
import { readFile, rename, writeFile } from "node:fs/promises";

/** The contents of `.local/postgres/credentials.json`. */
export interface Credentials {
  user: string;
  password: string;
}

/** A fresh superuser with a random, URL-safe password (no percent-encoding needed). */
export function newCredentials(): Credentials {
  return { user: "postgres", password: randomBytes(24).toString("base64url") };
}

/** Reads the stored credentials; `undefined` when the file does not exist or is unreadable. */
export async function readCredentials(file: string): Promise<Credentials | undefined> {
  try {
    const parsed = JSON.parse(await readFile(file, "utf8")) as Partial<Credentials>;
    if (typeof parsed.user === "string" && typeof parsed.password === "string") {
      return { user: parsed.user, password: parsed.password };
    }
    return undefined;
  } catch {
    return undefined;
  }
}

/** Writes the credentials readable by the owner only, via a rename so readers never see half a file. */
export async function writeCredentials(file: string, credentials: Credentials): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, file);
}
