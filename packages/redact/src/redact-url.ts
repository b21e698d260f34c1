// Connection strings end up in logs and error messages; this hides their passwords. It works on the
// raw text rather than re-serialising a parsed URL, so everything but the password stays as written
// and malformed input (raw `@` or `/` in a password, several hosts) still never leaks the secret.

const MASK = "***";

/**
 * Returns `url` with every password in it replaced by `***`: the one in the user-info part
 * (`//user:secret@host` becomes `//user:***@host`), and `password=` / `sslpassword=` in the query
 * or in a libpq keyword/value string. Everything else is kept as written.
 *
 * When the text is ambiguous it errs towards hiding more: the result may then lose part of the
 * host or path, but never contains the original password.
 */
export function redactUrl(url: string): string {
  return redactParameters(redactUserInfo(url));
}

function redactUserInfo(url: string): string {
  const schemeEnd = url.indexOf("://");
  // Without a scheme the text may still be `user:secret@host/db`; treat it as starting with the authority.
  const authorityStart = schemeEnd === -1 ? 0 : schemeEnd + 3;
  const rest = url.slice(authorityStart);

  // The user-info normally ends at the last `@` before the path: taking the last one copes with a raw
  // `@` inside the password.
  const pathStart = firstIndexOf(rest, ["/", "?", "#"]);
  const authority = pathStart === -1 ? rest : rest.slice(0, pathStart);
  let at = authority.lastIndexOf("@");
  if (at === -1) {
    // No `@` in the authority. A later one can only mean a password holding a raw `/`, `?` or `#`
    // (or an `@` in the path or query). Hide up to it: over-redacting beats leaking.
    at = rest.lastIndexOf("@");
    if (at === -1) return url;
  }

  const userInfo = rest.slice(0, at);
  const colon = userInfo.indexOf(":");
  if (colon === -1 || colon === userInfo.length - 1) return url; // no password, or an empty one
  return url.slice(0, authorityStart) + userInfo.slice(0, colon + 1) + MASK + rest.slice(at);
}

function redactParameters(text: string): string {
  // Query parameters (`?password=x&…`) end at `&` or `#`.
  const query = text.replace(/([?&](?:ssl)?password=)[^&#]*/gi, `$1${MASK}`);
  // libpq keyword/value strings (`host=h password='a b'`); values may be single-quoted with escapes.
  return query.replace(
    /(^|[\s])((?:ssl)?password\s*=\s*)('(?:[^'\\]|\\.)*'?|[^\s]*)/gi,
    (_match, before: string, key: string) => `${before}${key}${MASK}`,
  );
}

function firstIndexOf(text: string, needles: string[]): number {
  let first = -1;
  for (const needle of needles) {
    const index = text.indexOf(needle);
    if (index !== -1 && (first === -1 || index < first)) first = index;
  }
  return first;
}
