// The one place errors become responses: typed API errors keep their status and code, Hono's own
// HTTP errors (malformed JSON, body too large, wrong media type) get the same shape, and anything
// else is logged as a bug and answered with a 500 that reveals nothing.
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";
import type { AppEnv } from "../app-env.ts";
import { ApiError, ValidationError, type ErrorDetail } from "./api-error.ts";
import { fromDatabaseError } from "./database-errors.ts";
import type { ErrorBody } from "./error-body.ts";

const HTTP_CODES: Partial<Record<number, string>> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "METHOD_NOT_ALLOWED",
  413: "BODY_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
};

// A hostile request can name a megabyte-long field; what we echo back stays short.
const MAX_DETAILS = 20;
const clip = (text: string, length = 120) => (text.length > length ? `${text.slice(0, length)}…` : text);

export function errorResponse(c: Context<AppEnv>, status: ContentfulStatusCode, code: string, message: string, details?: ErrorDetail[]) {
  const body: ErrorBody = { error: { code, message, requestId: c.get("requestId"), ...(details?.length ? { details } : {}) } };
  return c.json(body, status);
}

/**
 * zod's issues as the API's details: a dotted path (`tags.0`, prefixed `query.` or `param.` outside the
 * body) and zod's message, which never quotes the input value (unknown keys are listed, clipped).
 */
export function detailsOf(error: ZodError, target = "json"): ErrorDetail[] {
  const prefix = target === "json" ? [] : [target];
  return error.issues.slice(0, MAX_DETAILS).map((issue) => {
    const message =
      issue.code === "unrecognized_keys"
        ? `unknown field${issue.keys.length > 1 ? "s" : ""}: ${issue.keys.slice(0, 5).map((key) => JSON.stringify(clip(key, 40))).join(", ")}`
        : issue.message;
    return { path: clip([...prefix, ...issue.path.map(String)].join(".")), message: clip(message, 300) };
  });
}

/** The validation hook of every route: a schema violation (body, query or path) is a 422. */
export function validationHook(result: { success: true } | { success: false; error: ZodError; target: string }): void {
  if (!result.success) throw new ValidationError(detailsOf(result.error, result.target));
}

export const onError: ErrorHandler<AppEnv> = (error, c) => {
  const known = error instanceof ApiError ? error : fromDatabaseError(error);
  if (known) {
    if (known.status >= 500) c.get("log")?.warn({ err: error, code: known.code }, known.message);
    return errorResponse(c, known.status, known.code, known.message, known.details);
  }
  if (error instanceof HTTPException) {
    const status = error.status;
    // Hono's messages ("Malformed JSON in request body", "Payload Too Large") are safe to show.
    const message = status === 413 ? "The request body is larger than the limit." : error.message || "Bad request.";
    const code = status === 400 && /malformed json/i.test(message) ? "MALFORMED_JSON" : (HTTP_CODES[status] ?? "HTTP_ERROR");
    return errorResponse(c, status, code, message);
  }
  c.get("log")?.error({ err: error }, "unhandled error");
  return errorResponse(c, 500, "INTERNAL", "Internal server error; the request id leads to the log entry.");
};

export const notFound: NotFoundHandler<AppEnv> = (c) => errorResponse(c, 404, "ROUTE_NOT_FOUND", `No route for ${c.req.method} ${clip(c.req.path)}.`);
