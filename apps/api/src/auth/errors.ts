// The answers of authentication and authorization: 401 when the caller is unknown (no token, or a bad,
// expired or revoked one), 403 when a known caller may not do this.
import { ApiError } from "../errors/api-error.ts";

export class UnauthorizedError extends ApiError {
  override readonly name = "UnauthorizedError";
  constructor(message = "Sign in first: send `Authorization: Bearer <access token>` (POST /login gives one).") {
    super(401, "UNAUTHORIZED", message);
  }
}

export class ForbiddenError extends ApiError {
  override readonly name = "ForbiddenError";
  constructor(message: string) {
    super(403, "FORBIDDEN", message);
  }
}

/** Wrong username/email or password: one message for both, so it never says which usernames exist. */
export class InvalidCredentialsError extends ApiError {
  override readonly name = "InvalidCredentialsError";
  constructor() {
    super(401, "INVALID_CREDENTIALS", "Wrong username, email or password.");
  }
}

/** Sign-in attempts for one username from one address beyond LOGIN_RATE_LIMIT. */
export class TooManyLoginAttemptsError extends ApiError {
  override readonly name = "TooManyLoginAttemptsError";
  constructor(retryAfterSeconds: number) {
    super(429, "TOO_MANY_LOGIN_ATTEMPTS", `Too many sign-in attempts for this username; retry in ${retryAfterSeconds} s.`);
  }
}
