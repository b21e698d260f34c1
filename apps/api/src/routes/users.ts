// Users: the boilerplate's accounts. The password arrives in `password`, is stored only as a scrypt
// hash in `hashedPassword`, and that column is never selected, so it cannot reach a response. Anyone may
// sign up; a user reads, changes and deletes only themself; listing users, reading or changing others'
// accounts and choosing a tier are for superusers.
import { z } from "@hono/zod-openapi";
import { ForbiddenError } from "../auth/errors.ts";
import { hashPassword } from "../passwords.ts";
import { httpUrl, idField, text, timestamp } from "../schemas/fields.ts";
import { defineResource } from "./resource.ts";

const name = text(2, 30).openapi({ example: "Ada Lovelace" });
const username = text(2, 20)
  .regex(/^[a-z0-9]+$/, "lowercase letters and digits only")
  .openapi({ example: "ada" });
const email = text(3, 50)
  .pipe(z.email())
  .openapi({ example: "ada@example.com" });
const password = text(8, 128).openapi({ description: "8 to 128 characters; stored as a scrypt hash, never returned." });
const profileImageUrl = httpUrl().openapi({ example: "https://example.com/ada.png" });
const tierId = idField().nullable().openapi({ description: "The user's tier, or null." });

export const User = z
  .object({
    id: z.number().int(),
    uuid: z.uuid(),
    name: z.string(),
    username: z.string(),
    email: z.string(),
    profileImageUrl: z.string(),
    tierId: z.number().int().nullable(),
    isSuperuser: z.boolean(),
    createdAt: timestamp(),
    updatedAt: timestamp().nullable(),
  })
  .openapi("User");

export const UserCreate = z.strictObject({ name, username, email, password, profileImageUrl: profileImageUrl.optional(), tierId: tierId.optional() }).openapi("UserCreate");

export const UserUpdate = z
  .strictObject({
    name: name.optional(),
    username: username.optional(),
    email: email.optional(),
    password: password.optional(),
    profileImageUrl: profileImageUrl.optional(),
    tierId: tierId.optional(),
  })
  .openapi("UserUpdate");

/** The columns a response may show: everything but the password hash and the soft-delete marks. */
export const userColumns = {
  id: true,
  uuid: true,
  name: true,
  username: true,
  email: true,
  profileImageUrl: true,
  tierId: true,
  isSuperuser: true,
  createdAt: true,
  updatedAt: true,
} as const;

export const users = defineResource({
  name: "user",
  path: "/users",
  tag: "Users",
  schemas: { item: User, create: UserCreate, update: UserUpdate },
  deletion: "soft",
  access: {
    create: "public",
    list: "superuser",
    get: "owner",
    update: "owner",
    remove: "owner",
    owns: (_deps, caller, id) => Promise.resolve(caller.id === id),
    checkCreate: (_caller, input) => {
      if (input.tierId != null) throw new ForbiddenError("Only superusers may choose a user's tier: leave tierId out.");
    },
    checkUpdate: (_caller, input) => {
      if (input.tierId !== undefined) throw new ForbiddenError("Only superusers may change a user's tier.");
    },
  },
  store: ({ db, scrypt }) => ({
    list: ({ limit, cursor }) =>
      db.user.findMany({
        select: userColumns,
        where: { isDeleted: false, ...(cursor !== undefined ? { id: { gt: cursor } } : {}) },
        orderBy: { id: "asc" },
        take: limit + 1,
      }),
    get: (id) => db.user.findFirst({ select: userColumns, where: { id, isDeleted: false } }),
    create: async ({ password, ...fields }) =>
      db.user.create({ select: userColumns, data: { ...fields, hashedPassword: await hashPassword(password, scrypt) } }),
    update: async (id, { password, ...fields }) =>
      db.user.update({
        select: userColumns,
        where: { id, isDeleted: false },
        data: { ...fields, ...(password !== undefined ? { hashedPassword: await hashPassword(password, scrypt) } : {}) },
      }),
    remove: async (id) => {
      await db.user.update({ select: { id: true }, where: { id, isDeleted: false }, data: { isDeleted: true, deletedAt: new Date() } });
    },
  }),
});
