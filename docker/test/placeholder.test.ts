import { existsSync } from "node:fs";
import { expect, test } from "vitest";

test("the deploy package is part of the workspace", () => {
  expect(existsSync(new URL("../package.json", import.meta.url))).toBe(true);
});
