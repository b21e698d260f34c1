// Vitest global setup shared by the packages whose tests need PostgreSQL: one server for the whole
// run (TEST_DATABASE_URL, DATABASE_URL or a throwaway embedded one), provided to tests as
// `inject("serverUrl")`; each test file makes its own databases on it.
import type { TestProject } from "vitest/node";
import { testServerUrl } from "./test-database.ts";

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
