// The five routes every resource has (create, read, list, update, delete), built from a definition:
// its zod schemas and a store of database calls. A new resource is one file calling defineResource,
// listed in routes/index.ts; its OpenAPI description comes with it. Each route checks who may call it
// (public, signed in, superuser; the row's owner) before validating the request.
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { PrismaClient } from "@repo/db/client";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env.ts";
import { requireAccess, requireOwner, type Access } from "../auth/access.ts";
import type { Caller } from "../auth/caller.ts";
import { securityFor } from "../auth/openapi.ts";
import { NotFoundError, ValidationError } from "../errors/api-error.ts";
import { fromDatabaseError, isRecordNotFound } from "../errors/database-errors.ts";
import { errorResponses } from "../errors/error-body.ts";
import { validationHook } from "../errors/respond.ts";
import type { ScryptParams } from "../passwords.ts";
import { IdParams } from "../schemas/fields.ts";
import { PageQuery, pageOf, toPage, type PageRequest } from "../schemas/pagination.ts";

/** What a resource's store may use. */
export interface ResourceDeps {
  db: PrismaClient;
  /** scrypt cost for new password hashes. */
  scrypt: ScryptParams;
}

/**
 * The database side of a resource. Rows are returned with only public columns selected. `update` and
 * `remove` throw Prisma's P2025 when there is no such live row (the routes answer 404).
 */
export interface ResourceStore<Create, Update, Filters, Row extends { id: number }> {
  /** Up to `page.limit + 1` live rows with id > cursor, in id order (the extra row means "more"). */
  list(page: PageRequest, filters: Filters): Promise<Row[]>;
  get(id: number): Promise<Row | null>;
  /** `caller`: the signed-in user, when there is one (a post's default author). */
  create(input: Create, caller: Caller | undefined): Promise<Row>;
  update(id: number, input: Update): Promise<Row>;
  remove(id: number): Promise<void>;
}

export interface ResourceDefinition<
  Item extends z.ZodType,
  Create extends z.ZodType,
  Update extends z.ZodType,
  Filters extends z.ZodRawShape,
  Row extends { id: number },
> {
  /** Singular, for messages: "user", "rate limit". */
  name: string;
  /** The collection's path: "/users". */
  path: string;
  /** The OpenAPI tag grouping its routes. */
  tag: string;
  /** The public shape (registered as an OpenAPI component) and the request bodies. */
  schemas: { item: Item; create: Create; update: Update };
  /** Extra list filters (query parameters), beside `limit` and `cursor`. */
  filters?: Filters;
  /** "soft": DELETE marks the row deleted and it disappears from reads; "hard": the row is removed. */
  deletion: "soft" | "hard";
  /** Who may call each route. */
  access: AccessRules<z.output<Create>, z.output<Update>>;
  store(deps: ResourceDeps): ResourceStore<z.output<Create>, z.output<Update>, z.output<z.ZodObject<Filters>>, Row>;
}

export interface AccessRules<Create, Update> {
  list: Access;
  create: Access;
  /** "owner": a signed-in user who owns the row (see `owns`), or a superuser. */
  get: Access | "owner";
  update: Access | "owner";
  remove: Access | "owner";
  /** Whether row `id` is the caller's (themself, their post); asked for non-superusers on "owner" routes. */
  owns?(deps: ResourceDeps, caller: Caller, id: number): Promise<boolean>;
  /** Refuses (ForbiddenError) input a non-superuser may not send, such as a tier of their choosing. */
  checkCreate?(caller: Caller | undefined, input: Create): void;
  checkUpdate?(caller: Caller, input: Update): void;
}

/** A resource with its types erased, so resources of different shapes fit in one list. */
export interface Resource {
  name: string;
  path: string;
  routes(deps: ResourceDeps): OpenAPIHono<AppEnv>;
}

const json = <T extends z.ZodType>(schema: T) => ({ "application/json": { schema } });
// Request bodies are typed at the store; the routes see them type-erased, which keeps Hono's
// inference concrete inside this generic function.
const jsonBody = (schema: z.ZodType) => ({ content: json(schema), required: true as const });

/**
 * Builds the resource's routes: `POST /things` (201), `GET /things?limit&cursor` (a page),
 * `GET /things/{id}`, `PATCH /things/{id}` (partial; at least one field), `DELETE /things/{id}` (204).
 */
export function defineResource<Item extends z.ZodType, Create extends z.ZodType, Update extends z.ZodType, Filters extends z.ZodRawShape, Row extends { id: number }>(
  definition: ResourceDefinition<Item, Create, Update, Filters, Row>,
): Resource {
  const { name, path, tag, schemas } = definition;
  const one = `${path}/{id}`;
  const listQuery = PageQuery.extend(definition.filters ?? {});
  const page = pageOf(schemas.item, `${tag}Page`);
  const bodyErrors = errorResponses(400, 413, 415, 422, 503);
  const { access } = definition;

  // Database errors the route does not expect become the API's (409, 422, 503) or stay bugs (500).
  const translate = (error: unknown, id?: number): never => {
    if (id !== undefined && isRecordNotFound(error)) throw new NotFoundError(name, id);
    throw fromDatabaseError(error, name) ?? error;
  };

  return {
    name,
    path,
    routes(deps) {
      const store = definition.store(deps);
      const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
      // Route middleware (runs before validation), the OpenAPI security and the auth errors of a route.
      const guard = (level: Access | "owner", what: string, ownerMessage = `You may only ${what} your own ${name}.`) => {
        // Public routes need no check: no middleware (each one is a step on every request).
        const middleware: MiddlewareHandler<AppEnv>[] = level === "public" ? [] : [requireAccess(level === "owner" ? "user" : level, what)];
        if (level === "owner") {
          if (!access.owns) throw new Error(`${name}: access "owner" needs an owns() function`);
          middleware.push(requireOwner((caller, id) => access.owns?.(deps, caller, id) ?? Promise.resolve(false), ownerMessage));
        }
        const plain = level === "owner" ? "user" : level;
        return {
          middleware,
          security: securityFor(plain),
          authErrors: plain === "public" ? errorResponses(429) : plain === "user" && level !== "owner" ? errorResponses(401, 429) : errorResponses(401, 403, 429),
        };
      };
      const create = guard(access.create, `create ${name}s`);
      const list = guard(access.list, `list ${name}s`);
      const read = guard(access.get, `read ${name}s`, `You may only read your own ${name}.`);
      const update = guard(access.update, `change ${name}s`, `You may only change your own ${name}.`);
      const remove = guard(access.remove, `delete ${name}s`, `You may only delete your own ${name}.`);

      app.openapi(
        createRoute({
          method: "post",
          path,
          tags: [tag],
          summary: `Create a ${name}`,
          middleware: create.middleware,
          security: create.security,
          request: { body: jsonBody(schemas.create) },
          responses: { 201: { description: `The new ${name}`, content: json(schemas.item) }, ...errorResponses(409), ...bodyErrors, ...create.authErrors },
        }),
        async (c) => {
          const input = c.req.valid("json") as z.output<Create>;
          const caller = c.get("caller");
          if (!caller?.isSuperuser) access.checkCreate?.(caller, input);
          const row = await store.create(input, caller).catch((error: unknown) => translate(error));
          return c.json(row as never, 201);
        },
      );

      app.openapi(
        createRoute({
          method: "get",
          path,
          tags: [tag],
          summary: `List ${name}s, oldest first`,
          middleware: list.middleware,
          security: list.security,
          request: { query: listQuery },
          responses: { 200: { description: `A page of ${name}s`, content: json(page) }, ...errorResponses(422, 503), ...list.authErrors },
        }),
        async (c) => {
          const { limit, cursor, ...filters } = c.req.valid("query") as PageRequest & z.output<z.ZodObject<Filters>>;
          const rows = await store.list({ limit, cursor }, filters as z.output<z.ZodObject<Filters>>).catch((error: unknown) => translate(error));
          return c.json(toPage(rows, limit) as never, 200);
        },
      );

      app.openapi(
        createRoute({
          method: "get",
          path: one,
          tags: [tag],
          summary: `Read a ${name}`,
          middleware: read.middleware,
          security: read.security,
          request: { params: IdParams },
          responses: { 200: { description: `The ${name}`, content: json(schemas.item) }, ...errorResponses(404, 422, 503), ...read.authErrors },
        }),
        async (c) => {
          const { id } = c.req.valid("param");
          const row = await store.get(id).catch((error: unknown) => translate(error, id));
          if (!row) throw new NotFoundError(name, id);
          return c.json(row as never, 200);
        },
      );

      app.openapi(
        createRoute({
          method: "patch",
          path: one,
          tags: [tag],
          summary: `Change some fields of a ${name}`,
          middleware: update.middleware,
          security: update.security,
          request: { params: IdParams, body: jsonBody(schemas.update) },
          responses: { 200: { description: `The ${name} as changed`, content: json(schemas.item) }, ...errorResponses(404, 409), ...bodyErrors, ...update.authErrors },
        }),
        async (c) => {
          const { id } = c.req.valid("param");
          const input = c.req.valid("json") as z.output<Update>;
          if (typeof input === "object" && input !== null && Object.keys(input).length === 0) {
            throw new ValidationError([{ path: "", message: "give at least one field to change" }]);
          }
          const caller = c.get("caller");
          if (caller && !caller.isSuperuser) access.checkUpdate?.(caller, input);
          const row = await store.update(id, input).catch((error: unknown) => translate(error, id));
          return c.json(row as never, 200);
        },
      );

      app.openapi(
        createRoute({
          method: "delete",
          path: one,
          tags: [tag],
          summary: definition.deletion === "soft" ? `Delete a ${name} (soft: kept, marked deleted, hidden from reads)` : `Delete a ${name}`,
          middleware: remove.middleware,
          security: remove.security,
          request: { params: IdParams },
          responses: { 204: { description: "Deleted" }, ...errorResponses(404, 422, 503), ...remove.authErrors },
        }),
        async (c) => {
          const { id } = c.req.valid("param");
          await store.remove(id).catch((error: unknown) => translate(error, id));
          return c.body(null, 204);
        },
      );

      return app;
    },
  };
}
