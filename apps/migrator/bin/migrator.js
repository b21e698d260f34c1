#!/usr/bin/env node
// The `migrator` command. In the workspace the TypeScript source runs through tsx; a production
// bundle (the container image) ships dist/main.js and no src/ (so a stale build never runs here).
import { existsSync } from "node:fs";

const source = new URL("../src/main.ts", import.meta.url);
if (existsSync(source)) {
  const { register } = await import("tsx/esm/api");
  register();
  await import(source.href);
} else {
  await import(new URL("../dist/main.js", import.meta.url).href);
}
