#!/usr/bin/env node
// The executable the Prisma CLI runs as its schema engine (PRISMA_SCHEMA_ENGINE_BINARY). In the
// workspace the TypeScript source runs through tsx; a production bundle ships dist/main.js instead.
import { existsSync } from "node:fs";

const compiled = new URL("../dist/main.js", import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import(new URL("../src/main.ts", import.meta.url).href);
}
