// The persistent server's files live in the monorepo's `.local/` folder, whichever package asks for
// it, so every package and script shares one server. This finds that folder.

import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { LocalServerError } from "./errors.ts";

/** The folder holding pnpm-workspace.yaml, walking up from this file (not from the working directory). */
export function monorepoRoot(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    if (dirname(dir) === dir) break;
  }
  throw new LocalServerError(
    "ROOT_NOT_FOUND",
    `No pnpm-workspace.yaml above ${start}, so the monorepo root is unknown. Fix: pass rootDir, or set DATABASE_URL.`,
  );
}
