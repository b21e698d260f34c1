// Serialises initdb/start/stop of one data folder across processes (two test runs, a migration and
// a dev server started together), so only one of them initialises or starts the server.

import lockfile from "proper-lockfile";
import { LocalServerError } from "./errors.ts";

/**
 * Runs `task` while holding `<baseDir>/setup.lock` (a proper-lockfile lock: a directory whose mtime
 * the holder refreshes; a holder that died is taken over after 10 s). Waits up to about two minutes
 * for another holder, which covers a first-run initdb plus start.
 */
export async function withSetupLock<T>(
  baseDir: string,
  lockFile: string,
  log: (line: string) => void,
  task: () => Promise<T>,
): Promise<T> {
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(baseDir, {
      lockfilePath: lockFile,
      stale: 10_000,
      retries: { retries: 600, factor: 1.5, minTimeout: 20, maxTimeout: 200 },
      // The default throws from a timer, which would crash the process; the work itself is still safe
      // to finish because every step re-checks the server's state.
      onCompromised: (error) => log(`Warning: lost the lock on ${lockFile}: ${error.message}`),
    });
  } catch (cause) {
    throw new LocalServerError(
      "LOCK_TIMEOUT",
      `Timed out waiting for another process to finish setting up the server (lock ${lockFile}). ` +
        "Fix: wait for it to finish; if no such process exists, delete that lock folder.",
      { cause },
    );
  }
  try {
    return await task();
  } finally {
    await release().catch(() => undefined);
  }
}
