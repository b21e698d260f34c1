// The errors the API answers on purpose: each has an HTTP status and a stable `code` clients may match
// on. Anything else reaching the error handler is a bug and becomes a 500.
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** One problem with the request, as listed in an error's `details`. */
export interface ErrorDetail {
  /** Where: a body field (`email`), a query or path parameter, or "" for the whole body. */
  path: string;
  message: string;
}

export class ApiError extends Error {
  override readonly name: string = "ApiError";
  constructor(
    readonly status: ContentfulStatusCode,
    /** Stable, UPPER_SNAKE_CASE: clients and tests match on it. */
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
  }
}

/** The row does not exist, or was soft-deleted. */
export class NotFoundError extends ApiError {
  override readonly name = "NotFoundError";
  constructor(resource: string, id: number | string) {
    super(404, "NOT_FOUND", `No ${resource} with id ${id}.`);
  }
}

/** A unique value is taken (username, email, tier name…). */
export class ConflictError extends ApiError {
  override readonly name = "ConflictError";
  constructor(message: string, takenFields: string[] = []) {
    super(409, "CONFLICT", message, takenFields.map((field) => ({ path: field, message: "already taken" })));
  }
}

/** Well-formed JSON that breaks the schema: wrong types, missing or unknown fields, out of range. */
export class ValidationError extends ApiError {
  override readonly name = "ValidationError";
  constructor(details: ErrorDetail[], message = "The request does not match the schema.") {
    super(422, "VALIDATION_FAILED", message, details);
  }
}

/** A field points at a row that does not exist (tierId, createdByUserId…). */
export class UnknownReferenceError extends ApiError {
  override readonly name = "UnknownReferenceError";
  constructor(field: string, what = "an existing row") {
    super(422, "UNKNOWN_REFERENCE", `${field} must refer to ${what}.`, [{ path: field, message: `must refer to ${what}` }]);
  }
}

/** The database cannot be reached or is overloaded: not a bug, so not a 500. */
export class DatabaseUnavailableError extends ApiError {
  override readonly name = "DatabaseUnavailableError";
  constructor() {
    super(503, "DATABASE_UNAVAILABLE", "The database is unavailable; try again shortly.");
  }
}
