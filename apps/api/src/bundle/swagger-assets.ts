// Stands in for docs/swagger-assets.ts in the production bundle (scripts/build.ts): Swagger UI's files
// are copied beside the bundle, in dist/swagger-ui.
import { fileURLToPath } from "node:url";

export const swaggerAssetsDir = fileURLToPath(new URL("./swagger-ui", import.meta.url));
