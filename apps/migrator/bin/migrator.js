#!/usr/bin/env node
// The `migrator` command. In the workspace the TypeScript source runs through tsx; a production
// bundle (the container image) ships dist/main.js instead.
import { existsSync } from "node:fs";

const compiled = new URL("../dist/main.js", import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import(new URL("../src/main.ts", import.meta.url).href);
}
