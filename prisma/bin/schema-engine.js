#!/usr/bin/env node
// The executable the Prisma CLI runs as its schema engine (PRISMA_SCHEMA_ENGINE_BINARY). In the
// workspace (where src/ exists) the TypeScript source runs through tsx, so a stale build is never
// run by mistake; a production bundle ships dist/main.js and no src/.
import { existsSync } from "node:fs";

const source = new URL("../src/main.ts", import.meta.url);
if (existsSync(source)) {
  const { register } = await import("tsx/esm/api");
  register();
  await import(source.href);
} else {
  await import(new URL("../dist/main.js", import.meta.url).href);
}
