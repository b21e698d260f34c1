#!/usr/bin/env node
// `pnpm start`: the built API (dist/main.js) with production settings unless NODE_ENV says otherwise
// (staging, say). The bundle is made by `pnpm build`; the root `pnpm start` builds it first.
import { existsSync } from "node:fs";

const bundle = new URL("../dist/main.js", import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write("apps/api is not built: run `pnpm build` (or the root `pnpm start`, which builds first).\n");
  process.exit(1);
}
process.env.NODE_ENV ||= "production";
await import(bundle.href);
