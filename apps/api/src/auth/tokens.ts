// JWTs signed with HS256 and the configured secret. Access tokens are short-lived and travel in the
// Authorization header; refresh tokens live longer and travel only in an httpOnly cookie. Each token
// has its own id (`jti`) so logout can revoke exactly it (auth/revocation.ts), and a `token_type`
// claim so a refresh token is never accepted as an access token or the reverse.
import { randomUUID } from "node:crypto";
import { errors, jwtVerify, SignJWT } from "jose";
import { UnauthorizedError } from "./errors.ts";

export type TokenType = "access" | "refresh";

export interface TokenSettings {
  secret: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** Milliseconds since the epoch (default Date.now); tests move it forward to expire tokens. */
  now?: () => number;
}

export interface IssuedToken {
  token: string;
  jti: string;
  expiresAt: Date;
  ttlSeconds: number;
}

export interface VerifiedToken {
  userId: number;
  jti: string;
  expiresAt: Date;
}

const ISSUER = "api";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ALGORITHM = "HS256";

export class Tokens {
  readonly #key: Uint8Array;
  readonly #settings: TokenSettings;

  constructor(settings: TokenSettings) {
    this.#key = new TextEncoder().encode(settings.secret);
    this.#settings = settings;
  }

  now(): number {
    return this.#settings.now?.() ?? Date.now();
  }

  /** A signed token for `userId`. */
  async issue(userId: number, type: TokenType): Promise<IssuedToken> {
    const ttlSeconds = type === "access" ? this.#settings.accessTokenTtlSeconds : this.#settings.refreshTokenTtlSeconds;
    const issuedAt = Math.floor(this.now() / 1000);
    const jti = randomUUID();
    const token = await new SignJWT({ token_type: type })
      .setProtectedHeader({ alg: ALGORITHM, typ: "JWT" })
      .setSubject(String(userId))
      .setJti(jti)
      .setIssuer(ISSUER)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + ttlSeconds)
      .sign(this.#key);
    return { token, jti, expiresAt: new Date((issuedAt + ttlSeconds) * 1000), ttlSeconds };
  }

  /**
   * The token's user and id, once its signature, algorithm, issuer, type and expiry are checked.
   * Throws an UnauthorizedError saying which check failed (never echoing the token). Revocation is
   * checked separately, against the database.
   */
  async verify(token: string, type: TokenType): Promise<VerifiedToken> {
    const what = type === "access" ? "access token" : "refresh token";
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.#key, { algorithms: [ALGORITHM], issuer: ISSUER, currentDate: new Date(this.now()), requiredClaims: ["sub", "jti", "exp"] }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) {
        throw new UnauthorizedError(type === "access" ? "The access token has expired: get a new one from POST /refresh." : "The refresh token has expired: sign in again.");
      }
      if (error instanceof errors.JOSEError) throw new UnauthorizedError(`The ${what} is invalid: sign in again.`);
      throw error;
    }
    const userId = Number(payload.sub);
    if (payload.token_type !== type) throw new UnauthorizedError(`This is not an ${what}.`.replace("an refresh", "a refresh"));
    if (!Number.isSafeInteger(userId) || userId < 1 || typeof payload.jti !== "string" || !UUID.test(payload.jti) || typeof payload.exp !== "number") {
      throw new UnauthorizedError(`The ${what} is invalid: sign in again.`);
    }
    return { userId, jti: payload.jti, expiresAt: new Date(payload.exp * 1000) };
  }
}
