// One PostgreSQL server for the whole run (TEST_DATABASE_URL, DATABASE_URL or a throwaway embedded
// one) and one template database on it with every schema and data migration applied; each test file
// clones the template (a file copy) instead of migrating anew, and drops its clone.
import { randomBytes } from "node:crypto";
import { createTemplateDatabase, dropTemplateDatabase, testServerUrl } from "@repo/dev-postgres";
import type { TestProject } from "vitest/node";
import { deployAll } from "../src/dev/deploy-all.ts";

declare module "vitest" {
  export interface ProvidedContext {
    serverUrl: string;
    /** A database with every migration applied, to clone. */
    migratedTemplate: string;
  }
}

export default async function setup(project: TestProject) {
  const server = await testServerUrl();
  // A name of this run's own: runs from several checkouts may share a server.
  const template = await createTemplateDatabase(server.url, `api_template_${randomBytes(4).toString("hex")}`, deployAll);
  project.provide("serverUrl", server.url);
  project.provide("migratedTemplate", template.name);
  return async () => {
    await dropTemplateDatabase(server.url, template.name);
    await server.stop?.();
  };
}
