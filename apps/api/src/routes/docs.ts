// /docs: Swagger UI over /openapi.json, its script and stylesheet served by the API itself. The
// default of @hono/swagger-ui loads them from a CDN, which leaves the page blank on a closed network
// (an air-gapped cluster, this project's CI) and sends every visitor's browser to a third party.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { swaggerUI } from "@hono/swagger-ui";
import { Hono } from "hono";
import type { AppEnv } from "../app-env.ts";
import { SWAGGER_ASSETS } from "../docs/swagger-asset-files.ts";
import { swaggerAssetsDir } from "../docs/swagger-assets.ts";

/** @hono/swagger-ui asks for `${baseUrl}/swagger-ui-dist/<file>`. */
const ASSETS_BASE = "/docs/assets";

export function docsRoutes(options: { openApiPath: string; assetsDir?: string }) {
  const assetsDir = options.assetsDir ?? swaggerAssetsDir;
  // Read once, on first request: the bundle is 1.7 MB and never changes while the process runs.
  const cache = new Map<string, Promise<Buffer>>();
  const load = (file: string) => {
    let content = cache.get(file);
    if (!content) {
      content = readFile(path.join(assetsDir, file));
      content.catch(() => cache.delete(file));
      cache.set(file, content);
    }
    return content;
  };

  const routes = new Hono<AppEnv>();
  routes.get("/docs", swaggerUI({ url: options.openApiPath, baseUrl: ASSETS_BASE, title: "API documentation" }));
  routes.get(`${ASSETS_BASE}/swagger-ui-dist/:file`, async (c) => {
    const file = c.req.param("file");
    const type = Object.hasOwn(SWAGGER_ASSETS, file) ? SWAGGER_ASSETS[file] : undefined;
    if (!type) return c.notFound();
    const body = await load(file);
    return c.body(new Uint8Array(body), 200, { "content-type": type, "cache-control": "public, max-age=86400" });
  });
  return routes;
}
