// The one JSON shape of every error response, as a zod schema so the OpenAPI document shows it.
import { z } from "@hono/zod-openapi";

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "NOT_FOUND", description: "Stable, UPPER_SNAKE_CASE." }),
      message: z.string().openapi({ example: "No user with id 42." }),
      requestId: z.string().openapi({ description: "Also in the X-Request-Id response header and in the logs." }),
      details: z
        .array(z.object({ path: z.string(), message: z.string() }))
        .optional()
        .openapi({ description: "Each problem with the request: a field (`email`), a parameter, or \"\" for the whole body." }),
    }),
  })
  .openapi("Error");

export type ErrorBody = z.infer<typeof ErrorBody>;

/** The error responses a route can give, for its OpenAPI description. */
export function errorResponses(...statuses: (400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503)[]) {
  const descriptions = {
    400: "Malformed JSON or request",
    401: "No access token, or a malformed, expired or revoked one (`WWW-Authenticate` says which)",
    403: "Signed in, but not allowed to do this",
    429: "Too many requests: `Retry-After` and the `RateLimit-*` headers say when to try again",
    404: "No such row (or it was deleted)",
    409: "A unique value is already taken",
    413: "Body larger than the limit",
    415: "Body is not application/json",
    422: "Body or parameters break the schema",
    503: "Database (or, failing closed, the rate-limit store) unavailable",
  } as const;
  return Object.fromEntries(
    statuses.map((status) => [status, { description: descriptions[status], content: { "application/json": { schema: ErrorBody } } }]),
  );
}
