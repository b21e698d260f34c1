// One PostgreSQL server for the whole run (TEST_DATABASE_URL, DATABASE_URL or a throwaway embedded
// one); each test file makes its own databases on it.
import { testServerUrl } from "@repo/dev-postgres";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    serverUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const server = await testServerUrl();
  project.provide("serverUrl", server.url);
  return async () => {
    await server.stop?.();
  };
}
