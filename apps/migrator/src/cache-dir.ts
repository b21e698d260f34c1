// Where the migrator keeps what it can recompute, between runs: its analyses of migration scripts and
// (a production build only) V8's compiled code. Shared by config.ts and the build's loader, so it
// imports nothing but Node's own modules.
import os from "node:os";
import path from "node:path";

/** MIGRATOR_CACHE_DIR (`off`: none), else $XDG_CACHE_HOME/migrator, else ~/.cache/migrator. */
export function migratorCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const setting = env.MIGRATOR_CACHE_DIR?.trim();
  if (setting === "off") return undefined;
  if (setting) return path.resolve(env.INIT_CWD ?? process.cwd(), setting);
  if (env.XDG_CACHE_HOME) return path.join(env.XDG_CACHE_HOME, "migrator");
  try {
    return path.join(os.homedir(), ".cache", "migrator");
  } catch {
    return undefined; // no HOME and no passwd entry (a container's arbitrary uid): no user cache
  }
}
