// Creates a new PostgreSQL data folder (a "cluster") with the bundled initdb, as the OS user that
// will run the server, with settings that behave the same on every developer's machine.

import { randomBytes } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { PostgresBinaries } from "./binaries.ts";
import { LocalServerError } from "./errors.ts";
import { commandOutput, runCommand, type OsIdentity } from "./run-command.ts";
import { handOver } from "./server-identity.ts";

export interface InitClusterOptions {
  binaries: PostgresBinaries;
  identity: OsIdentity | undefined;
  dataDir: string;
  /** A folder the server's user can read, for the short-lived password file. */
  workDir: string;
  user: string;
  /** With a password, TCP connections need it (scram-sha-256); without, every connection is trusted. */
  password?: string;
  /** Skip fsync while initialising: for throwaway servers, where a crash loses nothing of value. */
  noSync?: boolean;
}

/**
 * Runs initdb on `dataDir` (created and handed to the server's user first). The cluster is UTF-8
 * with PostgreSQL's builtin C.UTF-8 collation: identical on every OS, independent of installed
 * locales. Unix-socket connections are trusted; the socket folder's permissions guard them.
 */
export async function initCluster(options: InitClusterOptions): Promise<void> {
  const { binaries, identity, dataDir, workDir, user, password } = options;
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await handOver(identity, dataDir);

  // initdb reads the superuser password from a file; it exists only for the duration of the call.
  const passwordFile = password === undefined ? undefined : join(workDir, `pwfile-${randomBytes(6).toString("hex")}`);
  if (passwordFile !== undefined) {
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    await handOver(identity, passwordFile);
  }

  const args = [
    `--pgdata=${dataDir}`,
    `--username=${user}`,
    "--encoding=UTF8",
    "--locale-provider=builtin",
    "--builtin-locale=C.UTF-8",
    "--locale=C",
    "--no-instructions",
    ...(passwordFile === undefined
      ? ["--auth=trust"]
      : ["--auth-local=trust", "--auth-host=scram-sha-256", `--pwfile=${passwordFile}`]),
    ...(options.noSync ? ["--no-sync"] : []),
  ];
  try {
    const result = await runCommand(binaries.initdb, args, { as: identity, cwd: workDir });
    if (result.code !== 0) {
      throw new LocalServerError(
        "INIT_FAILED",
        `initdb could not create the PostgreSQL data folder ${dataDir} (exit ${result.code ?? result.signal}).\n` +
          `${commandOutput(result)}\nFix: delete ${dataDir} and try again, or set DATABASE_URL.`,
      );
    }
  } finally {
    if (passwordFile !== undefined) await rm(passwordFile, { force: true });
  }
}
