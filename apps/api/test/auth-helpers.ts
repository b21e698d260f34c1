// Signed-in callers for the API's tests, made through the real routes: a user signs up with
// POST /users (a superuser is then promoted with SQL, as nothing in the API may grant it) and signs in
// with POST /login; the session sends its access token with every request.
import type { Response, TestApi } from "./helpers.ts";

export interface Session {
  id: number;
  username: string;
  password: string;
  accessToken: string;
  /** The refresh-token cookie as a `Cookie` header value (`refresh_token=…`). */
  refreshCookie: string;
  headers: Record<string, string>;
  call<T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response<T>>;
}

let counter = 0;

/** The `name=value` of a Set-Cookie header, or undefined when the response sets no such cookie. */
export function cookieFrom(response: { headers: Headers }, name: string): string | undefined {
  const line = response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${name}=`));
  return line?.split(";")[0];
}

/** Signs in through POST /login; throws with the response when it fails. */
export async function login(api: TestApi, username: string, password: string, extraHeaders: Record<string, string> = {}): Promise<Omit<Session, "id" | "username" | "password">> {
  const response = await api.call<{ accessToken: string }>("POST", "/login", { username, password }, extraHeaders);
  if (response.status !== 200) throw new Error(`login as ${username} answered ${response.status}: ${JSON.stringify(response.body)}`);
  const accessToken = response.body.accessToken;
  const refreshCookie = cookieFrom(response, "refresh_token") ?? "";
  const headers = { ...extraHeaders, authorization: `Bearer ${accessToken}` };
  return { accessToken, refreshCookie, headers, call: (method, path, body, extra) => api.call(method, path, body, { ...headers, ...extra }) };
}

/** A new user, signed up and signed in; `superuser` promotes it first. */
/** `headers` go with every request of the session, sign-up and sign-in included (an X-Forwarded-For, say). */
export async function session(api: TestApi, options: { superuser?: boolean; tierId?: number; prefix?: string; headers?: Record<string, string> } = {}): Promise<Session> {
  counter += 1;
  const username = `${options.prefix ?? (options.superuser ? "admin" : "member")}${process.pid % 10_000}x${counter}`.slice(0, 20);
  const password = `password of ${username}`;
  const created = await api.call<{ id: number }>("POST", "/users", { name: `User ${username}`.slice(0, 30), username, email: `${username}@example.com`, password }, options.headers);
  if (created.status !== 201) throw new Error(`sign-up of ${username} answered ${created.status}: ${JSON.stringify(created.body)}`);
  const { id } = created.body;
  if (options.superuser || options.tierId !== undefined) {
    await api.sql('UPDATE "user" SET is_superuser = $2, tier_id = $3 WHERE id = $1', [id, options.superuser ?? false, options.tierId ?? null]);
  }
  return { id, username, password, ...(await login(api, username, password, options.headers)) };
}

export const superuser = (api: TestApi) => session(api, { superuser: true });
