// Deterministic hostile requests for the fuzz test: a seeded generator (same seed, same requests) that
// takes a valid body for some route and breaks it one way at a time: wrong types, out-of-range
// numbers, huge or NUL-laden strings, SQL and JSON injection, unknown and privileged fields,
// malformed JSON text, other media types, hostile path and query parameters.

/** mulberry32: a small, fast PRNG with a 32-bit seed; plenty for picking test cases. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface HostileRequest {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: string;
  /** Raw body text (already JSON or deliberately not). */
  body?: string;
  contentType?: string;
  /** What was broken, for the failure message. */
  label: string;
}

/** Ids of rows that exist, so bodies and paths can point at real rows. */
export interface KnownIds {
  user: number;
  post: number;
  category: number;
  tier: number;
  rateLimit: number;
}

interface Target {
  collection: string;
  id: keyof KnownIds;
  valid(ids: KnownIds, unique: string): Record<string, unknown>;
}

const TARGETS: Target[] = [
  { collection: "/users", id: "user", valid: (ids, u) => ({ name: "Fuzz", username: `fz${u}`, email: `fz${u}@example.com`, password: "long enough", tierId: ids.tier }) },
  { collection: "/posts", id: "post", valid: (ids) => ({ createdByUserId: ids.user, categoryId: ids.category, title: "Fuzz", text: "Body" }) },
  { collection: "/categories", id: "category", valid: (_ids, u) => ({ name: `Fuzz ${u}`, slug: `fuzz-${u}` }) },
  { collection: "/tiers", id: "tier", valid: (_ids, u) => ({ name: `fuzz-${u}` }) },
  { collection: "/rate-limits", id: "rateLimit", valid: (ids, u) => ({ tierId: ids.tier, name: `fuzz-${u}`, path: "/posts", limit: 5, period: 60 }) },
];

const deep = (depth: number): unknown => (depth === 0 ? "bottom" : { nested: deep(depth - 1) });

export const HOSTILE_STRINGS = [
  "' OR '1'='1",
  "'; DROP TABLE \"user\"; --",
  "1; DELETE FROM post WHERE 1=1",
  "' UNION SELECT hashed_password FROM \"user\" --",
  "admin'--",
  "\\'; TRUNCATE tier CASCADE; --",
  "$1",
  "%s%s%s%n",
  "{{7*7}}",
  "${process.exit(1)}",
  "<script>alert(1)</script>",
  "../../etc/passwd",
  "\u0000",
  "nul\u0000inside",
  "\ud800",
  "\udfff\ud800lone surrogates",
  "\u202eright-to-left",
  "zero\u200bwidth",
  "🚀".repeat(40),
  "x".repeat(70_000),
  "a".repeat(31),
  "\\",
  "\n\r\t",
  "",
  " ",
  "null",
  "NaN",
  "0x10",
  '{"$gt": ""}',
  "__proto__",
  "javascript:alert(1)",
  "http://",
];

export const HOSTILE_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  2 ** 31,
  -(2 ** 31) - 1,
  Number.MAX_SAFE_INTEGER,
  1e21,
  [],
  [1, 2, 3],
  {},
  { $gt: "" },
  { set: { isSuperuser: true } },
  { connect: { id: 1 } },
  deep(200),
  ["' OR 1=1 --"],
];

/** Fields no client may set: privileged, server-managed, or not in the model at all. */
export const FORBIDDEN_FIELDS: Record<string, unknown> = {
  isSuperuser: true,
  hashedPassword: "scrypt$1$1$1$AAAA$AAAA",
  id: 1,
  uuid: "00000000-0000-0000-0000-000000000000",
  isDeleted: true,
  deletedAt: "2000-01-01T00:00:00Z",
  createdAt: "2000-01-01T00:00:00Z",
  updatedAt: null,
  createdBy: { connect: { id: 1 } },
  tier: { create: { name: "injected" } },
  posts: { deleteMany: {} },
  extra: "field",
};

/** Broken JSON texts; each is also sent in place of a valid body. */
export const MALFORMED_TEXTS = [
  '{"name":',
  "{'name': 'x'}",
  '{"name": "x",}',
  '{"name": "x"} trailing',
  "{name: 1}",
  '{"name": undefined}',
  '{"name": NaN}',
  '{"limit": 1e309}',
  "[".repeat(5000),
  "\u0000",
  "",
  " ",
  "\uFEFF",
  '{"a":"\\ud800"}',
  '{"a":"\\u0000"}',
];

/** Bodies that are valid JSON but not objects. */
export const NON_OBJECTS = ["[]", "null", "0", '"a string"', "true", "[{}]", JSON.stringify("x".repeat(10_000))];

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

/** `count` hostile requests from `seed`, against rows named by `ids`. Pure: same inputs, same list. */
export function hostileRequests(seed: number, count: number, ids: KnownIds): HostileRequest[] {
  const random = prng(seed);
  const requests: HostileRequest[] = [];
  for (let index = 0; index < count; index++) {
    const target = pick(random, TARGETS);
    const update = random() < 0.4;
    const method = update ? "PATCH" : "POST";
    const path = update ? `${target.collection}/${ids[target.id]}` : target.collection;
    const base = target.valid(ids, `${seed}x${index}`);
    const field = pick(random, Object.keys(base));
    const strategy = random();
    let request: HostileRequest;
    if (strategy < 0.3) {
      const value = random() < 0.5 ? pick(random, HOSTILE_STRINGS) : pick(random, HOSTILE_VALUES);
      request = { method, path, body: JSON.stringify({ ...base, [field]: value }), label: `${field} = ${JSON.stringify(value)?.slice(0, 60)}` };
    } else if (strategy < 0.45) {
      const extra = pick(random, Object.keys(FORBIDDEN_FIELDS));
      request = { method, path, body: JSON.stringify({ ...base, [extra]: FORBIDDEN_FIELDS[extra] }), label: `unknown field ${extra}` };
    } else if (strategy < 0.52) {
      // A key JSON.parse keeps as an own property, never as the prototype.
      const text = JSON.stringify(base).replace(/^\{/, `{"__proto__":{"isSuperuser":true,"isDeleted":true},"constructor":{"prototype":{"polluted":1}},`);
      request = { method, path, body: text, label: "__proto__ and constructor keys" };
    } else if (strategy < 0.62) {
      const { [field]: _dropped, ...rest } = base;
      request = { method: "POST", path: target.collection, body: JSON.stringify({ ...rest, [field]: random() < 0.5 ? undefined : pick(random, HOSTILE_VALUES) }), label: `${field} missing or wrong` };
    } else if (strategy < 0.72) {
      request = { method, path, body: pick(random, MALFORMED_TEXTS), label: "malformed JSON" };
    } else if (strategy < 0.78) {
      request = { method, path, body: pick(random, NON_OBJECTS), label: "JSON that is not an object" };
    } else if (strategy < 0.84) {
      const contentType = pick(random, ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "application/jsonx"]);
      request = { method, path, body: JSON.stringify(base), contentType, label: `sent as ${contentType}` };
    } else if (strategy < 0.92) {
      const id = pick(random, ["0", "-1", "1.5", "2147483648", "99999999999999999999", "1e3x", "abc", "1%20OR%201=1", "%00", "1;DROP%20TABLE%20post", "NaN", "Infinity", "0x1"]);
      const verb = pick(random, ["GET", "PATCH", "DELETE"] as const);
      request = { method: verb, path: `${target.collection}/${id}`, ...(verb === "PATCH" ? { body: JSON.stringify(base) } : {}), label: `id ${id}` };
    } else {
      const value = pick(random, ["0", "-1", "101", "abc", "1.5", "2147483648", "1%20OR%201%3D1", "%27%3B--", "", "[]", "1&limit=2", "%00"]);
      const parameter = pick(random, ["limit", "cursor", "tierId", "createdByUserId", "categoryId"]);
      request = { method: "GET", path: `${target.collection}?${parameter}=${value}`, label: `?${parameter}=${value}` };
    }
    requests.push(request);
  }
  return requests;
}
