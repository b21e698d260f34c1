// The development server (password authentication, as `pnpm dev` runs it) in a temporary folder on a
// free port, for tests that need that path rather than a trust-authenticated throwaway server.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "./free-port.ts";
import { ensureLocalServer, stopLocalServer, type LocalServer } from "./local-server.ts";

export interface ScratchLocalServer extends LocalServer {
  /** Stops the server and deletes its folder. */
  stop(): Promise<void>;
}

/** Starts the local server with `database` under a new temporary folder; `stop()` removes both. */
export async function startScratchLocalServer(database: string): Promise<ScratchLocalServer> {
  const rootDir = await mkdtemp(path.join(tmpdir(), `${database}-`));
  await chmod(rootDir, 0o755); // PostgreSQL runs as the `postgres` user when the tests run as root.
  const quiet = { rootDir, log: () => {} };
  try {
    const server = await ensureLocalServer({ ...quiet, port: await freePort(), database });
    return {
      ...server,
      stop: async () => {
        await stopLocalServer({ ...quiet, port: server.port });
        await rm(rootDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(rootDir, { recursive: true, force: true });
    throw error;
  }
}
