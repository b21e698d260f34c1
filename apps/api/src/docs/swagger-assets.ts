// Where Swagger UI's own script and stylesheet are read from: the swagger-ui-dist package in the
// workspace. The production bundle (scripts/build.ts) copies the two files beside it and swaps this
// module for bundle/swagger-assets.ts, so /docs works in an image with no network and no node_modules.
import { createRequire } from "node:module";
import path from "node:path";

export const swaggerAssetsDir = path.dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
