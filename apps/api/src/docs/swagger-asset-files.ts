// The only Swagger UI files /docs loads, with their content types; nothing else of the package is
// served, and the production build copies exactly these.
export const SWAGGER_ASSETS: Readonly<Record<string, string>> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
};
